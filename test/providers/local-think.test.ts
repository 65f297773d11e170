import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../src/providers/contract.js';
import { createLocalProvider } from '../../src/providers/local/create-local-provider.js';
import { LOCAL_MODELS } from '../../src/providers/local/local-models.js';
import { collectStream } from '../helpers/collect-stream.js';

const provider = createLocalProvider({ id: 'local', tokenDelayMs: 0 });
const ask = (messages: ChatMessage[]): ChatRequest => ({ model: 'think', messages });
const question: ChatMessage = { role: 'user', content: 'Why is the sky blue?' };

describe('the local/think demo model', () => {
  it('is listed as a reasoning model', () => {
    expect(LOCAL_MODELS.find((model) => model.upstream === 'think')?.capabilities).toContain('reasoning');
  });

  it('streams its reasoning before its answer, then a signature, and counts reasoning tokens', async () => {
    const streamed = await collectStream(provider.stream(ask([question]), AbortSignal.timeout(5_000)));
    expect(streamed.reasoning).toContain('Why is the sky blue?');
    expect(streamed.reasoningDeltas.length).toBeGreaterThan(3);
    expect(streamed.reasoningSignature).toMatch(/^local:[\w-]+$/);
    expect(streamed.text).toBe('You said: "Why is the sky blue?".');
    const firstText = streamed.partTypes.indexOf('text-delta');
    expect(streamed.partTypes.lastIndexOf('reasoning-delta')).toBeLessThan(firstText);
    expect(streamed.partTypes.indexOf('reasoning-signature')).toBeLessThan(firstText);
    const [usage] = streamed.usages;
    expect(usage?.reasoningTokens).toBe(streamed.reasoningDeltas.length);
    expect(usage?.completionTokens).toBe(streamed.reasoningDeltas.length + streamed.deltas.length);

    const whole = await provider.chat(ask([question]), AbortSignal.timeout(5_000));
    expect(whole.reasoning).toEqual({ text: streamed.reasoning, signature: streamed.reasoningSignature });
    expect(whole.content).toBe(streamed.text);
    expect(whole.usage).toEqual(usage);
  });

  it('recalls its own signed reasoning sent back on the next turn, and notices an altered one', async () => {
    const first = await provider.chat(ask([question]), AbortSignal.timeout(5_000));
    const turn = (reasoning: ChatMessage['reasoning']): ChatMessage[] => [
      question,
      { role: 'assistant', content: first.content, reasoning },
      { role: 'user', content: 'And at sunset?' },
    ];

    const recalled = await provider.chat(ask(turn(first.reasoning)), AbortSignal.timeout(5_000));
    expect(recalled.content).toMatch(/^I recall my earlier reasoning/);
    expect(recalled.reasoning?.text).toContain('valid signature');

    const altered = await provider.chat(ask(turn({ text: 'I made this up.', signature: first.reasoning?.signature })), AbortSignal.timeout(5_000));
    expect(altered.content).toMatch(/altered/);

    // Another provider's signature, or none, is not the model's to check: no recall either way.
    for (const reasoning of [{ text: first.reasoning?.text ?? '', signature: 'anthropic:abc' }, { text: first.reasoning?.text ?? '' }]) {
      const ignored = await provider.chat(ask(turn(reasoning)), AbortSignal.timeout(5_000));
      expect(ignored.content).toBe('You said: "And at sunset?".');
    }
  });
});
