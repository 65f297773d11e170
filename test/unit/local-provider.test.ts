import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, ChatStreamPart } from '../../src/providers/contract.js';
import { createLocalProvider, splitLocalTokens } from '../../src/providers/local/create-local-provider.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import { collectStream } from '../helpers/collect-stream.js';

const CONVERSATION: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'first question' },
  { role: 'assistant', content: 'an earlier answer' },
  { role: 'user', content: 'Hello there, streaming world!' },
];

function request(model: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model, messages: CONVERSATION, ...extra };
}

/** 3 framing tokens per message plus one per word. */
function expectedPromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + 3 + splitLocalTokens(message.content ?? '').length, 0);
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const signal = () => AbortSignal.timeout(10_000);

describe.each([0, 2])('createLocalProvider (tokenDelayMs %i)', (tokenDelayMs) => {
  const provider = createLocalProvider({ id: 'local', tokenDelayMs });

  it('is a local provider with the given id', () => {
    expect(provider.id).toBe('local');
    expect(provider.type).toBe('local');
  });

  it('echo answers with the last user message', async () => {
    const result = await provider.chat(request('echo'), signal());
    expect(result.content).toBe('Hello there, streaming world!');
    expect(result.finishReason).toBe('stop');
    expect(result.toolCalls).toEqual([]);
    expect(result.model).toBe('echo');
    expect(result.id).toMatch(/^local-/);
  });

  it('streams deltas that join to the chat() text', async () => {
    for (const model of ['echo', 'lorem']) {
      const chat = await provider.chat(request(model, { maxTokens: 20 }), signal());
      const stream = await collectStream(provider.stream(request(model, { maxTokens: 20 }), signal()));
      expect(stream.text).toBe(chat.content);
      expect(stream.deltas.length).toBeGreaterThan(1);
      expect(stream.errors).toEqual([]);
    }
  });

  it('streams metadata first, then deltas, then exactly one finish and one usage', async () => {
    const stream = await collectStream(provider.stream(request('echo'), signal()));
    expect(stream.partTypes[0]).toBe('metadata');
    expect(stream.partTypes.slice(-2)).toEqual(['finish', 'usage']);
    expect(stream.partTypes.slice(1, -2).every((type) => type === 'text-delta')).toBe(true);
    expect(stream.finishReasons).toEqual(['stop']);
    expect(stream.usages).toHaveLength(1);
  });

  it('counts one completion token per delta and the prompt per message', async () => {
    const stream = await collectStream(provider.stream(request('echo'), signal()));
    const chat = await provider.chat(request('echo'), signal());
    const promptTokens = expectedPromptTokens(CONVERSATION);
    expect(stream.usages[0]).toEqual({ promptTokens, completionTokens: stream.deltas.length });
    expect(chat.usage).toEqual({ promptTokens, completionTokens: stream.deltas.length });
    expect(stream.deltas).toEqual(['Hello', ' there,', ' streaming', ' world!']);
  });

  it('cuts the answer at maxTokens with finish "length"', async () => {
    const chat = await provider.chat(request('echo', { maxTokens: 2 }), signal());
    expect(chat.content).toBe('Hello there,');
    expect(chat.finishReason).toBe('length');
    expect(chat.usage.completionTokens).toBe(2);

    const stream = await collectStream(provider.stream(request('echo', { maxTokens: 2 }), signal()));
    expect(stream.deltas).toEqual(['Hello', ' there,']);
    expect(stream.finishReasons).toEqual(['length']);
    expect(stream.usages[0]?.completionTokens).toBe(2);
  });

  it('finishes with "stop" when maxTokens is exactly the answer length', async () => {
    const chat = await provider.chat(request('echo', { maxTokens: 4 }), signal());
    expect(chat.finishReason).toBe('stop');
    expect(chat.content).toBe('Hello there, streaming world!');
  });

  it('lorem writes exactly maxTokens tokens', async () => {
    const stream = await collectStream(provider.stream(request('lorem', { maxTokens: 9 }), signal()));
    expect(stream.deltas).toHaveLength(9);
    expect(stream.text.startsWith('lorem ipsum dolor')).toBe(true);
    expect(splitLocalTokens(stream.text)).toHaveLength(9);
    expect(stream.usages[0]?.completionTokens).toBe(9);
    expect(stream.finishReasons).toEqual(['stop']);
  });

  it('lorem writes 64 tokens by default', async () => {
    const chat = await provider.chat(request('lorem'), signal());
    expect(chat.usage.completionTokens).toBe(64);
    expect(splitLocalTokens(chat.content ?? '')).toHaveLength(64);
  });

  it('refuses an unknown model with UPSTREAM_REJECTED, in chat() and on the first stream part', async () => {
    const chatError = await rejectionOf(provider.chat(request('gpt-4o'), signal()));
    expect(chatError).toBeInstanceOf(ProviderError);
    expect(chatError).toMatchObject({ code: 'UPSTREAM_REJECTED', provider: 'local', retryable: false });
    expect((chatError as ProviderError).message).toContain('gpt-4o');

    const iterator = provider.stream(request('gpt-4o'), signal())[Symbol.asyncIterator]();
    const streamError = await rejectionOf(iterator.next());
    expect(streamError).toBeInstanceOf(ProviderError);
    expect(streamError).toMatchObject({ code: 'UPSTREAM_REJECTED' });
  });

  it('rejects with the reason of an already aborted signal', async () => {
    const reason = new Error('caller gave up');
    const controller = new AbortController();
    controller.abort(reason);
    expect(await rejectionOf(provider.chat(request('echo'), controller.signal))).toBe(reason);
    const iterator = provider.stream(request('echo'), controller.signal)[Symbol.asyncIterator]();
    expect(await rejectionOf(iterator.next())).toBe(reason);
  });
});

describe('createLocalProvider: aborting a stream', () => {
  it('rejects the pending next() with the abort reason promptly', async () => {
    const provider = createLocalProvider({ id: 'local', tokenDelayMs: 20 });
    const controller = new AbortController();
    const iterator = provider.stream(request('lorem', { maxTokens: 200 }), controller.signal)[Symbol.asyncIterator]();
    const seen: ChatStreamPart['type'][] = [];
    for (let i = 0; i < 3; i++) {
      const { value } = await iterator.next();
      if (value) seen.push(value.type);
    }
    expect(seen).toEqual(['metadata', 'text-delta', 'text-delta']);

    const reason = new Error('client unsubscribed');
    // next() starts the 20 ms wait before the next token; the abort must cut it short.
    const pending = iterator.next();
    const started = performance.now();
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);
    expect(performance.now() - started).toBeLessThan(15);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('waits tokenDelayMs between tokens', async () => {
    const provider = createLocalProvider({ id: 'local', tokenDelayMs: 20 });
    const started = performance.now();
    await collectStream(provider.stream(request('lorem', { maxTokens: 5 }), signal()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });
});
