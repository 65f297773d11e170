import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatRequest, Provider } from '../../src/providers/contract.js';
import { createLocalProvider } from '../../src/providers/local/create-local-provider.js';
import { collectStream } from '../helpers/collect-stream.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { adapterFixtures } from './adapter-fixtures.js';

/**
 * The parts of the contract every adapter keeps, the offline `local` one included:
 * chat and stream agree, a stream ends with exactly one finish and one usage, and
 * cancelling ends it promptly with the caller's reason. Wire-level cases (HTTP
 * errors, malformed chunks) are in contract.test.ts; `local` has no wire, so it
 * runs only these.
 */
interface ShapeSubject {
  name: string;
  provider: Provider;
  request: ChatRequest;
  expectedText: string;
  /** Makes the next stream slow enough to cancel mid-way. */
  prepareSlowStream(): void;
}

const dispatcher = new Agent({ keepAliveTimeout: 1_000 });
const mocks: WireMock[] = [];
const TEXT = ['The', ' quick', ' brown', ' fox'];

async function subjects(): Promise<ShapeSubject[]> {
  const wired = await Promise.all(
    adapterFixtures.map(async (fixture) => {
      const mock = await startWireMock(fixture.format, { frameSeparator: fixture.frameSeparator });
      mocks.push(mock);
      const script = () => mock.script({ kind: 'text', chunks: TEXT, usage: { promptTokens: 4, completionTokens: 4 } });
      script();
      return {
        name: fixture.name,
        provider: fixture.create(mock.origin, { dispatcher }),
        request: { model: fixture.model, messages: [{ role: 'user' as const, content: 'The quick brown fox' }] },
        expectedText: TEXT.join(''),
        prepareSlowStream: () => mock.script({ kind: 'hang', chunks: ['The'] }),
      };
    }),
  );
  const local = createLocalProvider({ id: 'local', tokenDelayMs: 5 });
  return [
    ...wired,
    {
      name: 'local',
      provider: local,
      request: { model: 'echo', messages: [{ role: 'user', content: 'The quick brown fox' }] },
      expectedText: 'The quick brown fox',
      prepareSlowStream: () => undefined,
    },
  ];
}

const all = await subjects();

afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
  await dispatcher.close();
});

describe.each(all)('provider contract shape: $name', (subject) => {
  it('chat and stream give the same text; the stream ends with one finish and one usage', async () => {
    const whole = await subject.provider.chat(subject.request, AbortSignal.timeout(5_000));
    expect(whole.content).toBe(subject.expectedText);
    expect(whole.finishReason).toBe('stop');
    expect(whole.usage.completionTokens).toBeGreaterThan(0);

    const streamed = await collectStream(subject.provider.stream(subject.request, AbortSignal.timeout(5_000)));
    expect(streamed.text).toBe(whole.content);
    expect(streamed.deltas.length).toBeGreaterThan(1);
    expect(streamed.finishReasons).toEqual(['stop']);
    expect(streamed.usages).toEqual([whole.usage]);
    expect(streamed.errors).toEqual([]);
    const contentParts = streamed.partTypes.filter((type) => type === 'text-delta' || type === 'tool-call-delta');
    expect(streamed.partTypes.slice(0, streamed.partTypes.lastIndexOf('text-delta') + 1).filter((type) => type === 'finish' || type === 'usage')).toEqual([]);
    expect(contentParts.length).toBe(streamed.deltas.length);
  });

  it('cancelling mid-stream rejects promptly with the caller’s reason', async () => {
    subject.prepareSlowStream();
    const controller = new AbortController();
    const iterator = subject.provider.stream(subject.request, controller.signal)[Symbol.asyncIterator]();
    let part = await iterator.next();
    while (!part.done && part.value.type !== 'text-delta') part = await iterator.next();
    const started = Date.now();
    controller.abort(new Error('caller left'));
    await expect((async () => {
      for (;;) if ((await iterator.next()).done) return;
    })()).rejects.toThrow('caller left');
    expect(Date.now() - started).toBeLessThan(500);
  });
});
