import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, stepCountIs, tool } from 'ai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FULL_KEY, startRestFixture, type RestFixture } from './gateway-fixture.js';

/** An OpenAI-compatible upstream whose first answer is text AND a tool call, then text: the case item_reference is about. */
let upstream: Server;
const bodies: { messages: unknown[] }[] = [];
let fx: RestFixture;

function completion(message: Record<string, unknown>, finishReason: string) {
  return { id: 'chatcmpl-store', object: 'chat.completion', created: 1, model: 'talker', choices: [{ index: 0, message, finish_reason: finishReason }], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } };
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { messages: { role: string }[] };
      bodies.push(body);
      const answered = body.messages.some((message) => message.role === 'tool');
      const answer = answered
        ? completion({ role: 'assistant', content: 'Sunny in Paris.' }, 'stop')
        : completion({ role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_s1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] }, 'tool_calls');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  fx = await startRestFixture({ providers: '  - { id: talk, type: openai, baseUrl: "${TALK}/v1", apiKey: sk-talk }', models: '  - { provider: talk, upstream: talker }', env: { TALK: origin } });
});

afterAll(async () => {
  await fx?.stop();
  upstream?.closeAllConnections();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()) ?? resolve());
});

const run = (providerOptions?: { openai: { store: boolean } }) =>
  generateText({
    model: createOpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY })('talk/talker'),
    prompt: 'Weather in Paris?',
    stopWhen: stepCountIs(3),
    maxRetries: 0,
    tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, sky: 'sunny' }) }) },
    ...(providerOptions ? { providerOptions } : {}),
  });

describe('AI SDK multi-step runs whose assistant turn has text and a tool call', () => {
  it('with the SDK default store: true, the item_reference is refused with a 400 that says what to do', async () => {
    const error = await run().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect((error as APICallError).message).toContain('store');
  });

  it('with store: false, the SDK resends the items and the run completes', async () => {
    bodies.length = 0;
    const result = await run({ openai: { store: false } });
    expect(result.text).toBe('Sunny in Paris.');
    expect(bodies[1]?.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_s1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_s1', content: JSON.stringify({ city: 'Paris', sky: 'sunny' }) },
    ]);
  });
});
