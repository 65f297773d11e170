import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converse, createSwitchboardOpenAI, streamWithReasoning } from '../../examples/openai-sdk.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway(`
providers:
  - { id: local, type: local, tokenDelayMs: 0 }
`);
});

afterAll(async () => {
  await gw.stop();
});

describe('examples/openai-sdk.ts against the real gateway', () => {
  it('streams local/think: reasoning pieces first, then the answer', async () => {
    const kinds: string[] = [];
    const result = await streamWithReasoning(createSwitchboardOpenAI({ baseURL: `${gw.origin}/v1` }), 'local/think', 'Why is the sky blue?', (kind) => kinds.push(kind));
    expect(result.reasoning).toContain('Why is the sky blue?');
    expect(result.answer).toBe('You said: "Why is the sky blue?".');
    expect(result.reasoningTokens).toBeGreaterThan(0);
    expect(kinds.lastIndexOf('reasoning')).toBeLessThan(kinds.indexOf('answer'));
  });

  it('keeps a stateless Responses conversation whose signed reasoning goes back upstream', async () => {
    const answers = await converse(createSwitchboardOpenAI({ baseURL: `${gw.origin}/v1` }), 'local/think', ['Why is the sky blue?', 'And at sunset?']);
    expect(answers[0]).toBe('You said: "Why is the sky blue?".');
    expect(answers[1]).toMatch(/^I recall my earlier reasoning/);
  });
});
