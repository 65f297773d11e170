import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { postGraphQL, type GraphQLErrorShape, type HttpResult } from '../helpers/graphql-clients.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * Redis goes away mid-test (redis-server stopped) and comes back (started again
 * on the same port, empty: the helper saves nothing). The gateway must follow
 * limits.onStoreFailure, never hang or crash, say so once in its logs, and
 * lose no usage.
 */

const MODEL = 'mock/gpt';
const USER_KEY = 'sbk_outage-user-0123456789abcdefgh';
const ADMIN_KEY = 'sbk_outage-admin-0123456789abcdefg';
const usage = { promptTokens: 5, completionTokens: 3 };

type Chat = HttpResult<{ chat: { message: { content: string | null } } }>;
interface Totals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });
const chatInput = (): { input: ChatInput } => ({ input: { model: MODEL, messages: [{ role: 'USER', content: 'still there?' }] } });
const codeOf = (errors: readonly GraphQLErrorShape[] | undefined) => errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let mock: WireMock;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
  mock.script({ kind: 'text', chunks: ['yes'], usage });
});

afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

afterAll(async () => {
  await mock?.close();
});

/** A Redis of its own for the test, and `count` gateways on it under a fresh prefix; all stopped after the test. */
async function rig(options: { userLimits: string; policy?: 'closed' | 'local'; count?: number }) {
  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  const yaml = `
server: { shutdownGraceMs: 0 }
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: test-key }]
models: [{ provider: mock, upstream: gpt, pricing: { input: 1000, output: 1000 } }]
redis: { url: "${redis.url}", keyPrefix: "outage-${randomUUID()}:" }
limits: { onStoreFailure: ${options.policy ?? 'closed'} }
auth:
  keys:
    - { id: admin, secret: "${ADMIN_KEY}", scopes: [admin, models, chat] }
    - { id: user, secret: "${USER_KEY}", scopes: [chat, models], limits: ${options.userLimits} }
`;
  const gateways: RunningGateway[] = [];
  for (let index = 0; index < (options.count ?? 1); index++) {
    const gw = await startGateway(yaml);
    gateways.push(gw);
    cleanups.push(() => gw.stop());
  }
  return { redis, gateways };
}

const chat = (gw: RunningGateway) => postGraphQL(gw.url, ChatDocument, chatInput(), bearer(USER_KEY)) as Promise<Chat>;
const chats = (gw: RunningGateway, count: number) => Promise.all(Array.from({ length: count }, () => chat(gw)));
const succeeded = (results: Chat[]) => results.filter((result) => result.body.data?.chat.message.content === 'yes').length;
const readyz = async (gw: RunningGateway) => (await fetch(`${gw.origin}/readyz`)).status;
const logLines = (gw: RunningGateway, text: string) => gw.logs.filter((line) => line.includes(text));
const viewerUsage = async (gw: RunningGateway): Promise<Totals | undefined> => {
  const { body } = await postGraphQL(gw.url, '{ viewer { usage { requests promptTokens completionTokens } } }', undefined, bearer(USER_KEY));
  return (body.data as { viewer: { usage: Totals } } | null | undefined)?.viewer.usage;
};

/** Retries `attempt` every 100 ms until it returns true or `timeoutMs` passes. */
async function eventually(attempt: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await attempt()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** Starts Redis again (empty) and waits until every gateway reports ready. */
async function restartRedis(redis: RedisServer, gateways: RunningGateway[]): Promise<void> {
  await redis.restart();
  for (const gw of gateways) expect(await eventually(async () => (await readyz(gw)) === 200, 5_000)).toBe(true);
}

describe('Redis outage', () => {
  it('closed policy: refuses model calls with STORE_UNAVAILABLE, logs once, /readyz 503, keeps serving the catalog, recovers', async () => {
    const { redis, gateways } = await rig({ userLimits: '{ requestsPerMinute: 1000 }' });
    const gw = gateways[0] as RunningGateway;
    const before = await chat(gw);
    expect(before.body.errors).toBeUndefined();
    expect(await readyz(gw)).toBe(200);

    await redis.stop();
    const started = performance.now();
    const first = await chat(gw);
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(codeOf(first.body.errors)).toBe('STORE_UNAVAILABLE');
    expect(first.body.data).toBeNull();
    // Several more, concurrently: all refused the same way, and still one log line.
    const more = await chats(gw, 4);
    expect(more.map((result) => codeOf(result.body.errors))).toEqual(['STORE_UNAVAILABLE', 'STORE_UNAVAILABLE', 'STORE_UNAVAILABLE', 'STORE_UNAVAILABLE']);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(logLines(gw, 'limit store unreachable')).toHaveLength(1);
    expect(JSON.parse(logLines(gw, 'limit store unreachable')[0] as string)).toMatchObject({ policy: 'closed' });
    expect(await readyz(gw)).toBe(503);
    // The catalog needs no Redis, and the key was seen moments ago: still served.
    const catalog = await postGraphQL(gw.url, '{ models { id } }', undefined, bearer(USER_KEY));
    expect(catalog.body).toEqual({ data: { models: [{ id: MODEL }] } });
    // A key this replica has not seen cannot be checked: refused, not let through.
    const unknownStarted = performance.now();
    const unknown = await postGraphQL(gw.url, '{ models { id } }', undefined, bearer(ADMIN_KEY));
    expect(codeOf(unknown.body.errors)).toBe('STORE_UNAVAILABLE');
    expect(unknown.body.data ?? null).toBeNull();
    expect(performance.now() - unknownStarted).toBeLessThan(2_500);

    await restartRedis(redis, gateways);
    let last: Chat | undefined;
    const recovered = await eventually(async () => {
      last = await chat(gw);
      return last.body.errors === undefined;
    }, 5_000);
    expect(last?.body).toMatchObject({ data: { chat: { message: { content: 'yes' } } } });
    expect(recovered).toBe(true);
    expect(await readyz(gw)).toBe(200);
    expect(logLines(gw, 'limit store is reachable again')).toHaveLength(1);
    expect(logLines(gw, 'limit store unreachable')).toHaveLength(1);
  });

  it('local policy: limits per replica during the outage, shared again once Redis is back', async () => {
    const { redis, gateways } = await rig({ userLimits: '{ requestsPerMinute: 3 }', policy: 'local', count: 2 });
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    // Both replicas see the key (a viewer read takes nothing from the limit), so they accept it during the outage.
    for (const gw of gateways) expect((await viewerUsage(gw))?.requests).toBe(0);

    await redis.stop();
    const [onA, onB] = await Promise.all([chats(a, 4), chats(b, 4)]);
    // Each replica limits on its own: 3 of 4 on A and 3 of 4 on B.
    for (const results of [onA, onB]) {
      expect(succeeded(results)).toBe(3);
      const refused = results.filter((result) => !result.body.data);
      expect(refused.map((result) => [result.status, codeOf(result.body.errors)])).toEqual([[429, 'RATE_LIMITED']]);
    }
    for (const gw of gateways) {
      expect(logLines(gw, 'limit store unreachable')).toHaveLength(1);
      expect(JSON.parse(logLines(gw, 'limit store unreachable')[0] as string)).toMatchObject({ policy: 'local' });
    }

    await restartRedis(redis, gateways);
    // Shared again: 3 in all across A and B (per replica, both buckets are still empty for ~20 s).
    const after = await Promise.all([chat(a), chat(b), chat(a), chat(b)]);
    expect(succeeded(after)).toBe(3);
    expect(after.filter((result) => !result.body.data).map((result) => codeOf(result.body.errors))).toEqual(['RATE_LIMITED']);
    for (const gw of gateways) expect(logLines(gw, 'limit store is reachable again')).toHaveLength(1);
  });

  it('loses no usage: requests made during the outage are counted once Redis is back', async () => {
    const { redis, gateways } = await rig({ userLimits: '{ requestsPerMinute: 1000 }', policy: 'local', count: 2 });
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    for (const gw of gateways) expect((await viewerUsage(gw))?.requests).toBe(0);

    await redis.stop();
    const during = (await Promise.all([chats(a, 3), chats(b, 2)])).flat();
    expect(succeeded(during)).toBe(5);

    await restartRedis(redis, gateways);
    // Redis came back empty: what it holds now is exactly what the gateways queued during the outage.
    const expected: Totals = { requests: 5, promptTokens: 5 * usage.promptTokens, completionTokens: 5 * usage.completionTokens };
    let seen: Totals | undefined;
    await eventually(async () => {
      seen = await viewerUsage(b);
      return JSON.stringify(seen) === JSON.stringify(expected);
    }, 3_000);
    expect(seen).toEqual(expected);
    // And it stays so: nothing is written twice.
    await sleep(1_500);
    expect(await viewerUsage(a)).toEqual(expected);
  });

  // Regression: a chat refused by the closed policy, and an unknown key during the outage (refused
  // while the context is built), both answer HTTP 503 as documented.
  it('answers STORE_UNAVAILABLE with HTTP 503, as documented', async () => {
    const { redis, gateways } = await rig({ userLimits: '{ requestsPerMinute: 1000 }' });
    const gw = gateways[0] as RunningGateway;
    expect((await chat(gw)).body.errors).toBeUndefined();
    await redis.stop();
    const refused = await chat(gw);
    const unknown = await postGraphQL(gw.url, '{ models { id } }', undefined, bearer(ADMIN_KEY));
    expect([codeOf(refused.body.errors), codeOf(unknown.body.errors)]).toEqual(['STORE_UNAVAILABLE', 'STORE_UNAVAILABLE']);
    expect([refused.status, unknown.status]).toEqual([503, 503]);
  });

  // Regression: a write that times out is not a write that failed. ioredis rejects it after 1 s but
  // may still deliver it, and the meter retries it: each increment carries an id so Redis applies it
  // once. Here Redis stalls 2.5 s (CLIENT PAUSE), longer than the command timeout.
  it('counts each request once when Redis stalls longer than the command timeout', async () => {
    const { redis, gateways } = await rig({ userLimits: '{ requestsPerMinute: 1000 }', policy: 'local' });
    const gw = gateways[0] as RunningGateway;
    expect((await viewerUsage(gw))?.requests).toBe(0);
    const control = new Redis(redis.url);
    cleanups.push(async () => void control.disconnect());

    // Every client command now waits 2.5 s: the gateway gives up on each after 1 s, Redis runs them all at the end.
    await control.call('CLIENT', 'PAUSE', '2500', 'ALL');
    const during = await chats(gw, 2);
    expect(succeeded(during)).toBe(2);

    const expected: Totals = { requests: 2, promptTokens: 2 * usage.promptTokens, completionTokens: 2 * usage.completionTokens };
    await eventually(async () => JSON.stringify(await viewerUsage(gw)) === JSON.stringify(expected), 3_000);
    // Past the meter's 1 s retry: still counted once.
    await sleep(1_500);
    expect(await viewerUsage(gw)).toEqual(expected);
  });

  // Regression: when Redis comes back without its data (no persistence, a failover to an empty
  // replica, eviction), every replica writes the config's keys again on reconnect.
  it('config keys work again after Redis comes back empty', async () => {
    const { redis, gateways } = await rig({ userLimits: '{ requestsPerMinute: 1000 }' });
    const gw = gateways[0] as RunningGateway;
    expect((await chat(gw)).body.errors).toBeUndefined();
    await redis.stop();
    expect(codeOf((await chat(gw)).body.errors)).toBe('STORE_UNAVAILABLE');

    await redis.restart();
    expect(await eventually(async () => (await readyz(gw)) === 200, 5_000)).toBe(true);
    // Past the 1 s key cache: the lookup must reach the (now empty) store.
    await sleep(1_100);
    let last: Chat | undefined;
    await eventually(async () => {
      last = await chat(gw);
      return last.body.errors === undefined;
    }, 2_000);
    expect(last?.body.errors).toBeUndefined();
    expect(last?.body.data?.chat.message.content).toBe('yes');
  });
});
