/**
 * The Vercel AI SDK's default OpenAI provider (the Responses API) reading
 * reasoning from /v1/responses and sending it back statelessly: with
 * `store: false` it asks for `encrypted_content` and returns reasoning items
 * only when they carry it — the offline local/think model notices when they do.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, type ModelMessage } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

let gw: RunningGateway;
let provider: ReturnType<typeof createOpenAI>;
// local/think's id does not look like a reasoning model to the SDK: say it is one.
const providerOptions = { openai: { store: false, forceReasoning: true } };

beforeAll(async () => {
  gw = await startGateway(`
providers:
  - { id: local, type: local, tokenDelayMs: 0 }
`);
  provider = createOpenAI({ baseURL: `${gw.origin}/v1`, apiKey: 'unused' });
});

afterAll(async () => {
  await gw.stop();
});

describe('reasoning through the Vercel AI SDK on /v1/responses', () => {
  it('streamText reads the reasoning before the text, and the next turn sends it back signed', async () => {
    const question: ModelMessage = { role: 'user', content: 'Why is the sky blue?' };
    const result = streamText({ model: provider('local/think'), messages: [question], providerOptions });
    const order: string[] = [];
    for await (const part of result.fullStream) if (part.type === 'reasoning-delta' || part.type === 'text-delta') order.push(part.type);
    expect(await result.reasoningText).toContain('Why is the sky blue?');
    expect(await result.text).toBe('You said: "Why is the sky blue?".');
    expect(order.lastIndexOf('reasoning-delta')).toBeLessThan(order.indexOf('text-delta'));
    expect((await result.usage).outputTokenDetails?.reasoningTokens).toBeGreaterThan(0);

    const history = [question, ...(await result.response).messages, { role: 'user' as const, content: 'And at sunset?' }];
    const next = await generateText({ model: provider('local/think'), messages: history, providerOptions });
    expect(next.text).toMatch(/^I recall my earlier reasoning/);
    expect(next.reasoningText).toContain('valid signature');
  });
});
