import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FULL_KEY, MODEL, startRestFixture, type RestFixture } from './gateway-fixture.js';

const usage = { promptTokens: 12, completionTokens: 5 };
let fx: RestFixture;
let provider: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  fx = await startRestFixture();
  // The provider's default: provider(modelId) speaks the Responses API.
  provider = createOpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY });
});

afterAll(async () => {
  await fx?.stop();
});

type UpstreamBody = { messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }[] };

describe('the Vercel AI SDK default OpenAI provider against /v1/responses', () => {
  it('generateText', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Hello', ' from the gateway'], usage });
    const result = await generateText({ model: provider(MODEL), system: 'Be brief.', prompt: 'Say hello', maxOutputTokens: 50, temperature: 0.5 });
    expect(result.text).toBe('Hello from the gateway');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
    expect(result.response.modelId).toBe(MODEL);
    expect(fx.mock.requests.at(-1)?.path).toBe('/v1/chat/completions');
    expect((fx.mock.requests.at(-1)?.body as UpstreamBody).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
  });

  it('streamText', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Once', ' upon', ' a', ' time'], usage });
    const result = streamText({ model: provider(MODEL), prompt: 'Tell a story' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['Once', ' upon', ' a', ' time']);
    expect(await result.text).toBe('Once upon a time');
    expect(await result.finishReason).toBe('stop');
    expect(await result.totalUsage).toMatchObject({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
  });

  it('structured output: text.format json_schema reaches the upstream as response_format', async () => {
    fx.mock.script({ kind: 'text', chunks: ['{"city":', '"Paris"}'], usage });
    const result = await generateText({ model: provider(MODEL), prompt: 'A city?', output: Output.object({ schema: z.object({ city: z.string() }) }) });
    expect(result.output).toEqual({ city: 'Paris' });
    const upstream = fx.mock.requests.at(-1)?.body as { response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } } };
    expect(upstream.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'response', strict: true, schema: { type: 'object' } } });
  });

  for (const mode of ['generateText', 'streamText'] as const) {
    it(`a multi-step tool call with ${mode} (stopWhen: stepCountIs(3))`, async () => {
      fx.mock.script(
        { kind: 'tool-calls', calls: [{ id: 'call_w1', name: 'weather', argumentChunks: ['{"city":', '"Paris"}'] }], usage },
        { kind: 'text', chunks: ['It is sunny in Paris.'], usage },
      );
      const before = fx.mock.requests.length;
      const seen: string[] = [];
      const options = {
        model: provider(MODEL),
        prompt: 'What is the weather in Paris?',
        stopWhen: stepCountIs(3),
        tools: {
          weather: tool({
            description: 'The weather of a city',
            inputSchema: z.object({ city: z.string() }),
            execute: async ({ city }) => {
              seen.push(city);
              return { city, sky: 'sunny' };
            },
          }),
        },
      };
      const result = mode === 'generateText' ? await generateText(options) : streamText(options);
      expect(await result.text).toBe('It is sunny in Paris.');
      const steps = await result.steps;
      expect(steps).toHaveLength(2);
      expect(steps[0]?.toolCalls.map((call) => [call.toolCallId, call.toolName, call.input])).toEqual([['call_w1', 'weather', { city: 'Paris' }]]);
      expect(seen).toEqual(['Paris']);
      expect(fx.mock.requests.length - before).toBe(2);
      const second = fx.mock.requests.at(-1)?.body as UpstreamBody;
      expect(second.messages).toEqual([
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_w1', content: JSON.stringify({ city: 'Paris', sky: 'sunny' }) },
      ]);
    });
  }

  it('a refused parameter reaches the SDK as a non-retryable 400', async () => {
    const before = fx.mock.requests.length;
    const error = await generateText({ model: provider(MODEL), prompt: 'x', providerOptions: { openai: { previousResponseId: 'resp_1' } } }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    const cause = (error as { lastError?: unknown }).lastError ?? error;
    expect(APICallError.isInstance(cause)).toBe(true);
    expect((cause as APICallError).statusCode).toBe(400);
    expect((cause as APICallError).isRetryable).toBe(false);
    expect((cause as APICallError).message).toContain('stateless');
    expect(fx.mock.requests.length).toBe(before);
  });
});
