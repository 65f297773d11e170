import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

const KEY_A = 'sbk_cache-key-a-0123456789abcdef';
const KEY_B = 'sbk_cache-key-b-0123456789abcdef';
const KEY_C = 'sbk_cache-key-c-0123456789abcdef';
const usage = { promptTokens: 9, completionTokens: 4 };
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

let mock: WireMock;
const running: RunningGateway[] = [];

function config(extra = ''): string {
  return `
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: sk-test }]
models: [{ provider: mock, upstream: gpt, pricing: { input: 1, output: 2 } }]
auth:
  keys:
    - { id: a, secret: "${KEY_A}" }
    - { id: b, secret: "${KEY_B}" }
    - { id: c, secret: "${KEY_C}", models: ["other/*"] }
${extra}`;
}

async function gateway(extra = ''): Promise<RunningGateway> {
  const gw = await startGateway(config(extra));
  running.push(gw);
  return gw;
}

function input(extra: Partial<ChatInput> = {}): ChatInput {
  return { model: 'mock/gpt', temperature: 0, messages: [{ role: 'USER', content: 'What is 2 + 2?' }], ...extra };
}

async function chat(gw: RunningGateway, overrides: Partial<ChatInput> = {}, key = KEY_A) {
  const { body } = await postGraphQL(gw.url, ChatDocument, { input: input(overrides) }, bearer(key));
  return body;
}

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});
afterAll(() => mock.close());

describe('completion cache', () => {
  it('answers an identical deterministic request from the cache: one upstream call, cached, free', async () => {
    const gw = await gateway();
    mock.script({ kind: 'text', chunks: ['Four', '.'], usage });
    const before = mock.requests.length;
    const first = await chat(gw);
    const second = await chat(gw);
    expect(mock.requests.length - before).toBe(1);
    expect(first.data?.chat).toMatchObject({ cached: false, message: { content: 'Four.' } });
    expect(second.data?.chat).toMatchObject({ cached: true, message: { content: 'Four.' }, attempts: [], usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13, costUsd: 0 } });
  });

  it('keys on every parameter, bypasses with cache: false, and caches non-zero temperature only with cache: true', async () => {
    const gw = await gateway();
    mock.script({ kind: 'text', chunks: ['ok'], usage });
    const before = mock.requests.length;
    await chat(gw);
    await chat(gw, { maxTokens: 10 });
    await chat(gw, { seed: 7 });
    await chat(gw, { cache: false });
    expect(mock.requests.length - before).toBe(4);
    await chat(gw, { temperature: 0.7 });
    await chat(gw, { temperature: 0.7 });
    expect(mock.requests.length - before).toBe(6);
    await chat(gw, { temperature: 0.7, cache: true });
    const hit = await chat(gw, { temperature: 0.7, cache: true });
    expect(mock.requests.length - before).toBe(7);
    expect(hit.data?.chat.cached).toBe(true);
  });

  it('keeps tenants apart: one key’s entry is not served to another', async () => {
    const gw = await gateway();
    mock.script({ kind: 'text', chunks: ['mine'], usage });
    const before = mock.requests.length;
    await chat(gw, {}, KEY_A);
    const other = await chat(gw, {}, KEY_B);
    expect(other.data?.chat.cached).toBe(false);
    expect(mock.requests.length - before).toBe(2);
  });

  it('never lets a cache hit bypass the model allow-list, even with a shared (global) cache', async () => {
    const gw = await gateway('cache: { completions: { scope: global } }');
    mock.script({ kind: 'text', chunks: ['shared'], usage });
    expect((await chat(gw, { seed: 77 }, KEY_A)).data?.chat.cached).toBe(false);
    expect((await chat(gw, { seed: 77 }, KEY_B)).data?.chat.cached).toBe(true);
    const refused = await chat(gw, { seed: 77 }, KEY_C);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('never caches errors, timeouts or cut-off answers', async () => {
    const gw = await gateway('routing: { timeouts: { totalMs: 300 } }');
    const before = mock.requests.length;
    mock.script({ kind: 'status', status: 500 });
    await chat(gw, { maxTokens: 1 });
    await chat(gw, { maxTokens: 1 });
    mock.script({ kind: 'text', chunks: ['slow'], usage, delays: { beforeHeadersMs: 1_000 } });
    expect((await chat(gw, { maxTokens: 2 })).errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    mock.script({ kind: 'text', chunks: ['cut'], finishReason: 'length', usage });
    await chat(gw, { maxTokens: 3 });
    const again = await chat(gw, { maxTokens: 3 });
    expect(again.data?.chat.cached).toBe(false);
    mock.script({ kind: 'text', chunks: ['fine'], usage });
    expect((await chat(gw, { maxTokens: 2 })).data?.chat.cached).toBe(false);
    expect(mock.requests.length - before).toBe(6);
  });

  it('shares one upstream call among 50 identical concurrent requests', async () => {
    const gw = await gateway();
    mock.script({ kind: 'text', chunks: ['shared'], usage, delays: { beforeHeadersMs: 100 } });
    const before = mock.requests.length;
    const answers = await Promise.all(Array.from({ length: 50 }, () => chat(gw, { seed: 50 })));
    expect(mock.requests.length - before).toBe(1);
    expect(answers.every((answer) => answer.data?.chat.message.content === 'shared')).toBe(true);
    expect(answers.filter((answer) => answer.data?.chat.cached === false)).toHaveLength(1);
  });

  it('replays a cached answer as a stream', async () => {
    const gw = await gateway();
    mock.script({ kind: 'text', chunks: ['Once', ' upon', ' a', ' time.'], usage });
    const streamed = async () => {
      const events = [];
      for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input({ seed: 99 }) }, bearer(KEY_A))) events.push(result.data?.chatStream);
      return events;
    };
    const before = mock.requests.length;
    const first = await streamed();
    const replayed = await streamed();
    expect(mock.requests.length - before).toBe(1);
    for (const events of [first, replayed]) expect(events.map((event) => event?.delta ?? '').join('')).toBe('Once upon a time.');
    expect(first.at(-1)).toMatchObject({ done: true, cached: false });
    expect(replayed.at(-1)).toMatchObject({ done: true, cached: true, finishReason: 'STOP' });
    expect(replayed.length).toBeGreaterThan(2);
  });
});

describe('completion cache on Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  it('serves an answer cached by one replica from another', async () => {
    const redisConfig = `redis: { url: "${redis.url}", keyPrefix: "cc${Date.now()}:" }`;
    const [a, b] = [await gateway(redisConfig), await gateway(redisConfig)];
    mock.script({ kind: 'text', chunks: ['across'], usage });
    const before = mock.requests.length;
    expect((await chat(a, { seed: 1234 })).data?.chat.cached).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await chat(b, { seed: 1234 })).data?.chat).toMatchObject({ cached: true, message: { content: 'across' } });
    expect(mock.requests.length - before).toBe(1);
  });
});
