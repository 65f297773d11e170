import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, Provider } from '../../src/providers/contract.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import { collectStream } from '../helpers/collect-stream.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { adapterFixtures, FIXTURE_API_KEY, WEATHER_TOOLS } from './adapter-fixtures.js';

const usage = { promptTokens: 11, completionTokens: 7 };
/** A reasoning model's answer: reasoning tokens are part of the completion's, cached tokens of the prompt's. */
const detailedUsage = { promptTokens: 120, completionTokens: 30, reasoningTokens: 12, cachedPromptTokens: 100 };
const reasoning = { chunks: ['The user greets me.', ' A short greeting back.'], signature: 'RXFzaWduYXR1cmUtMQ==' };
const REASONING_TEXT = reasoning.chunks.join('');

function requestFor(model: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ],
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe.each(adapterFixtures)('provider contract: $name', (fixture) => {
  let mock: WireMock;
  let provider: Provider;
  const dispatcher = new Agent({ keepAliveTimeout: 1_000 });

  beforeAll(async () => {
    mock = await startWireMock(fixture.format, { frameSeparator: fixture.frameSeparator });
    provider = fixture.create(mock.origin, { dispatcher });
  });
  afterAll(async () => {
    await mock.close();
    await dispatcher.close();
  });

  it('answers a text request and sends the credentials and messages upstream', async () => {
    mock.script({ kind: 'text', chunks: ['Hello', ', ', 'world!'], usage });
    const result = await provider.chat(requestFor(fixture.model, { temperature: 0.2, maxTokens: 50 }), AbortSignal.timeout(5_000));
    expect(result.content).toBe('Hello, world!');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual(fixture.reportedUsage(usage));
    expect(result.toolCalls).toEqual([]);
    const sent = mock.requests.at(-1);
    expect(fixture.authHeaderOf(sent?.headers ?? {})).toBe(FIXTURE_API_KEY);
    expect(JSON.stringify(sent?.body)).toContain('Say hello');
    expect(JSON.stringify(sent?.body)).toContain('Be brief.');
  });

  it('reports a length cut-off', async () => {
    mock.script({ kind: 'text', chunks: ['Hel'], finishReason: 'length', usage });
    const result = await provider.chat(requestFor(fixture.model), AbortSignal.timeout(5_000));
    expect(result.finishReason).toBe('length');
  });

  it('streams deltas that join to the full text, then exactly one finish and one usage', async () => {
    const chunks = ['Once', ' upon', ' a', ' time', '.'];
    mock.script({ kind: 'text', chunks, usage });
    const streamed = await collectStream(provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(streamed.deltas).toEqual(chunks);
    expect(streamed.text).toBe('Once upon a time.');
    expect(streamed.finishReasons).toEqual(['stop']);
    expect(streamed.usages).toEqual([fixture.reportedUsage(usage)]);
    expect(streamed.errors).toEqual([]);
    expect(streamed.partTypes).not.toContain('reasoning-delta');
  });

  it('streams reasoning before the text and returns it whole, signed only where the provider signs', async () => {
    mock.script({ kind: 'text', chunks: ['Hello', ' there!'], reasoning, usage: detailedUsage });
    const streamed = await collectStream(provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(streamed.reasoningDeltas).toEqual(reasoning.chunks);
    expect(streamed.text).toBe('Hello there!');
    expect(streamed.partTypes.lastIndexOf('reasoning-delta')).toBeLessThan(streamed.partTypes.indexOf('text-delta'));
    expect(streamed.usages).toEqual([fixture.reportedUsage(detailedUsage)]);
    const signature = streamed.reasoningSignature;
    if (fixture.signaturePrefix) {
      expect(signature?.startsWith(fixture.signaturePrefix)).toBe(true);
      // The provider's own signature travels inside the adapter's, never bare.
      expect(signature).not.toBe(reasoning.signature);
    } else {
      expect(signature).toBeUndefined();
    }

    const whole = await provider.chat(requestFor(fixture.model), AbortSignal.timeout(5_000));
    expect(whole.content).toBe('Hello there!');
    expect(whole.reasoning).toEqual(signature ? { text: REASONING_TEXT, signature } : { text: REASONING_TEXT });
    expect(whole.usage).toEqual(fixture.reportedUsage(detailedUsage));
  });

  it('reports cached prompt tokens as part of the prompt tokens', async () => {
    const cachedUsage = { promptTokens: 2_048, completionTokens: 5, cachedPromptTokens: 1_920 };
    mock.script({ kind: 'text', chunks: ['Hi'], usage: cachedUsage });
    const whole = await provider.chat(requestFor(fixture.model), AbortSignal.timeout(5_000));
    expect(whole.usage).toEqual(cachedUsage);
    expect(whole.reasoning).toBeUndefined();
    const streamed = await collectStream(provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(streamed.usages).toEqual([cachedUsage]);
  });

  it('returns tool calls, whole and streamed', async () => {
    const calls = [
      { id: 'call_a', name: 'get_weather', argumentChunks: ['{"city":', '"Paris"}'] },
      { id: 'call_b', name: 'get_time', argumentChunks: ['{"tz":"CET"}'] },
    ];
    const tools = [
      { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } },
    ];
    mock.script({ kind: 'tool-calls', calls, usage });
    const result = await provider.chat(requestFor(fixture.model, { tools }), AbortSignal.timeout(5_000));
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) as unknown }))).toEqual([
      { name: 'get_weather', args: { city: 'Paris' } },
      { name: 'get_time', args: { tz: 'CET' } },
    ]);
    expect(JSON.stringify(mock.requests.at(-1)?.body)).toContain('Weather by city');

    const streamed = await collectStream(provider.stream(requestFor(fixture.model, { tools }), AbortSignal.timeout(5_000)));
    expect(streamed.finishReasons).toEqual(['tool_calls']);
    expect(streamed.toolCalls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) as unknown }))).toEqual([
      { name: 'get_weather', args: { city: 'Paris' } },
      { name: 'get_time', args: { tz: 'CET' } },
    ]);
    expect(streamed.toolCalls.every((call) => call.id.length > 0)).toBe(true);
    expect(streamed.usages).toEqual([fixture.reportedUsage(usage)]);
  });

  it('decodes reasoning that comes before tool calls, whole and streamed', async () => {
    const calls = [{ id: 'call_a', name: 'get_weather', argumentChunks: ['{"city":"Paris"}'] }];
    const tools = WEATHER_TOOLS;
    mock.script({ kind: 'tool-calls', calls, reasoning, usage: detailedUsage });
    const whole = await provider.chat(requestFor(fixture.model, { tools }), AbortSignal.timeout(5_000));
    expect(whole.finishReason).toBe('tool_calls');
    expect(whole.reasoning?.text).toBe(REASONING_TEXT);
    expect(whole.toolCalls.map((call) => call.name)).toEqual(['get_weather']);

    const streamed = await collectStream(provider.stream(requestFor(fixture.model, { tools }), AbortSignal.timeout(5_000)));
    expect(streamed.reasoning).toBe(REASONING_TEXT);
    expect(streamed.reasoningSignature).toBe(whole.reasoning?.signature);
    expect(streamed.partTypes.lastIndexOf('reasoning-delta')).toBeLessThan(streamed.partTypes.indexOf('tool-call-delta'));
    expect(streamed.usages).toEqual([fixture.reportedUsage(detailedUsage)]);
  });

  it.each([
    { status: 400, code: 'UPSTREAM_REJECTED', retryable: false },
    { status: 401, code: 'UPSTREAM_REJECTED', retryable: false },
    { status: 404, code: 'UPSTREAM_REJECTED', retryable: false },
    { status: 500, code: 'UPSTREAM_UNAVAILABLE', retryable: true },
    { status: 503, code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  ])('maps upstream HTTP $status to $code (chat and stream)', async ({ status, code, retryable }) => {
    mock.script({ kind: 'status', status, message: `upstream says no; key ${FIXTURE_API_KEY}` });
    for (const attempt of [
      () => provider.chat(requestFor(fixture.model), AbortSignal.timeout(5_000)),
      () => collectStream(provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000))),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(retryable);
      if (status === 401) expect(error.message).not.toContain(FIXTURE_API_KEY);
    }
  });

  it('maps 429 to RATE_LIMITED and honours Retry-After', async () => {
    mock.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' }, message: 'slow down' });
    const error = await rejection(provider.chat(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.message).toContain('slow down');
  });

  it('maps a refused connection to a retryable UPSTREAM_UNAVAILABLE', async () => {
    const dead = await startWireMock(fixture.format);
    const origin = dead.origin;
    await dead.close();
    const unreachable = fixture.create(origin, { dispatcher });
    const error = await rejection(unreachable.chat(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    const streamError = await rejection(collectStream(unreachable.stream(requestFor(fixture.model), AbortSignal.timeout(5_000))));
    expect(streamError.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('turns a malformed body or chunk into an error, not a crash', async () => {
    mock.script({ kind: 'malformed', chunks: ['partial'] });
    const error = await rejection(provider.chat(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    const streamed = await collectStream(provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(streamed.text).toBe('partial');
    expect(streamed.errors).toHaveLength(1);
    expect(streamed.partTypes.at(-1)).toBe('error');
  });

  it('ends a stream with an error part on an in-band error event', async () => {
    mock.script({ kind: 'mid-stream-error', chunks: ['Hello', ' there'], message: 'Overloaded' });
    const streamed = await collectStream(provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000)));
    expect(streamed.text).toBe('Hello there');
    expect(streamed.errors).toHaveLength(1);
    expect(streamed.errors[0]?.message).toContain('Overloaded');
    expect(streamed.partTypes.at(-1)).toBe('error');
    expect(streamed.finishReasons).toEqual([]);
  });

  it('aborts the upstream connection when the caller cancels', async () => {
    mock.script({ kind: 'hang', chunks: ['Hello'] });
    const before = mock.abortedCount;
    const controller = new AbortController();
    const iterator = provider.stream(requestFor(fixture.model), controller.signal)[Symbol.asyncIterator]();
    let first = await iterator.next();
    while (!first.done && first.value.type !== 'text-delta') first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'text-delta', text: 'Hello' });
    // Running usage that came with the delta (Gemini's chunks carry it) is not a wait on the upstream.
    const pending = (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done || next.value.type !== 'usage') return next;
      }
    })();
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    await mock.waitForAborts(before + 1);

    // Leaving a stream early (return()) releases the upstream too.
    const early = provider.stream(requestFor(fixture.model), AbortSignal.timeout(5_000));
    for await (const part of early) if (part.type === 'text-delta') break;
    await mock.waitForAborts(before + 2);

    const hungChat = new AbortController();
    const chat = provider.chat(requestFor(fixture.model), hungChat.signal);
    setTimeout(() => hungChat.abort(new Error('gave up')), 50);
    await expect(chat).rejects.toThrow('gave up');
    await mock.waitForAborts(before + 3);
  });
});
