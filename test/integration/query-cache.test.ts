import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectWs, createWsClient, postGraphQL } from '../helpers/graphql-clients.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/*
 * The per-caller response cache (src/plugins/use-query-cache.ts) on the real gateway:
 * ETags and 304s, isolation between callers, live data and errors never cached,
 * websockets untouched, and the Redis store shared by replicas under its prefix.
 */

const KEY_A = 'sbk_query-cache-a-0123456789abcdef';
const KEY_B = 'sbk_query-cache-b-0123456789abcdef';
const KEY_CHAT = 'sbk_query-cache-chat-0123456789abc';
const MODELS = '{ models { id } }';
const MODELS_WITH_HEALTH = '{ models { id health { state } } }';

const AUTH_YAML = `
server: { shutdownGraceMs: 0 }
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: key-a, secret: "\${KEY_A}", scopes: [models, chat] }
    - { id: key-b, secret: "\${KEY_B}", scopes: [models, chat] }
    - { id: chat-only, secret: "\${KEY_CHAT}", scopes: [chat] }
`;
const KEYS = { KEY_A, KEY_B, KEY_CHAT };

const bearer = (secret: string, extra: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${secret}`, ...extra } });

/** A raw POST, for the 304 (no body) case. */
async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
}

/** The response cache's lookup counters from GET /metrics. */
async function lookups(origin: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const count = (result: string) => {
    const match = new RegExp(`cache_lookups_total\\{cache="response",result="${result}"\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
  };
  return { hit: count('hit'), miss: count('miss') };
}

const running: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});

async function start(yaml: string, env: Record<string, string> = {}): Promise<RunningGateway> {
  const gw = await startGateway(yaml, env);
  running.push(gw);
  return gw;
}

describe('response cache (memory)', () => {
  it('serves a repeated query from the cache, with an ETag and a 304 for If-None-Match', async () => {
    const gw = await start(AUTH_YAML, KEYS);
    const first = await postGraphQL<{ models: { id: string }[] }, never>(gw.url, MODELS, undefined, bearer(KEY_A));
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.models.length).toBeGreaterThan(0);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    // The ETag rides as a header only, never in the body.
    expect(JSON.stringify(first.body)).not.toContain('http');

    const before = await lookups(gw.origin);
    const second = await postGraphQL<{ models: { id: string }[] }, never>(gw.url, MODELS, undefined, bearer(KEY_A));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('etag')).toBe(etag);
    const after = await lookups(gw.origin);
    expect(after.hit).toBe(before.hit + 1);
    expect(after.miss).toBe(before.miss);

    const conditional = await post(gw.url, MODELS, { authorization: `Bearer ${KEY_A}`, 'if-none-match': etag as string });
    expect(conditional.status).toBe(304);
    expect(conditional.headers.get('etag')).toBe(etag);
    expect(await conditional.text()).toBe('');

    // A stale tag gets the full answer.
    const stale = await post(gw.url, MODELS, { authorization: `Bearer ${KEY_A}`, 'if-none-match': '"not-the-tag"' });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('etag')).toBe(etag);
  });

  it('keeps each caller to its own entries: A’s ETag is not a 304 for B', async () => {
    const gw = await start(AUTH_YAML, KEYS);
    const a = await postGraphQL(gw.url, MODELS, undefined, bearer(KEY_A));
    const etagA = a.headers.get('etag');
    expect(etagA).toBeTruthy();

    const before = await lookups(gw.origin);
    const b = await post(gw.url, MODELS, { authorization: `Bearer ${KEY_B}`, 'if-none-match': etagA as string });
    expect(b.status).toBe(200);
    const etagB = b.headers.get('etag');
    expect(etagB).toBeTruthy();
    expect(etagB).not.toBe(etagA);
    expect(((await b.json()) as { data: unknown }).data).toEqual(a.body.data);
    // B's lookup missed: A's entry was not served to B.
    const after = await lookups(gw.origin);
    expect(after.miss).toBe(before.miss + 1);
    expect(after.hit).toBe(before.hit);

    // Each still gets its own 304.
    expect((await post(gw.url, MODELS, { authorization: `Bearer ${KEY_A}`, 'if-none-match': etagA as string })).status).toBe(304);
    expect((await post(gw.url, MODELS, { authorization: `Bearer ${KEY_B}`, 'if-none-match': etagB as string })).status).toBe(304);
    // A bad credential never reaches the cache, ETag or not.
    const intruder = await post(gw.url, MODELS, { authorization: 'Bearer sbk_unknown-0123456789abcdef0123', 'if-none-match': etagA as string });
    expect(intruder.status).toBe(401);
  });

  it('never caches live data: TargetHealth anywhere in the tree disables caching of the whole result', async () => {
    const gw = await start(AUTH_YAML, KEYS);
    const before = await lookups(gw.origin);
    for (let i = 0; i < 2; i++) {
      const result = await postGraphQL<{ models: { id: string; health: { state: string } }[] }, never>(gw.url, MODELS_WITH_HEALTH, undefined, bearer(KEY_A));
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.models[0]?.health.state).toBeTruthy();
      expect(result.headers.get('etag')).toBeNull();
    }
    const viewer = await postGraphQL(gw.url, '{ viewer { keyId } }', undefined, bearer(KEY_A));
    expect(viewer.headers.get('etag')).toBeNull();
    // Not even looked up.
    expect(await lookups(gw.origin)).toEqual(before);
  });

  it('never caches a result with errors', async () => {
    const gw = await start(AUTH_YAML, KEYS);
    const before = await lookups(gw.origin);
    for (let i = 0; i < 2; i++) {
      // `models` needs the models scope: an error on an otherwise cacheable query.
      const denied = await postGraphQL(gw.url, MODELS, undefined, bearer(KEY_CHAT));
      expect(denied.body.errors?.length).toBeGreaterThan(0);
      expect(denied.headers.get('etag')).toBeNull();
    }
    const after = await lookups(gw.origin);
    expect(after.hit).toBe(before.hit);
    expect(after.miss).toBe(before.miss + 2);

    // keyUsage without the admin scope: an error, and live data besides.
    const usage = await postGraphQL(gw.url, '{ keyUsage(keyId: "key-a") { requests } }', undefined, bearer(KEY_A));
    expect(usage.body.errors?.length).toBeGreaterThan(0);
    expect(usage.headers.get('etag')).toBeNull();
  });

  it('does not cache unlisted fields (global TTL 0) nor mutations', async () => {
    const gw = await start(`${AUTH_YAML}cache: { responses: { ttlSeconds: { "Query.routes": 60 } } }\n`, KEYS);
    const models = await postGraphQL(gw.url, MODELS, undefined, bearer(KEY_A));
    expect(models.body.errors).toBeUndefined();
    expect(models.headers.get('etag')).toBeNull();
    const routes = await postGraphQL(gw.url, '{ routes { id } }', undefined, bearer(KEY_A));
    expect(routes.body.errors).toBeUndefined();
    expect(routes.headers.get('etag')).toBeTruthy();
    const chat = await postGraphQL(
      gw.url,
      'mutation { chat(input: { model: "local/echo", messages: [{ role: USER, content: "hi" }] }) { message { content } } }',
      undefined,
      bearer(KEY_A),
    );
    expect(chat.body.errors).toBeUndefined();
    expect(chat.headers.get('etag')).toBeNull();
  });

  it('is off when disabled', async () => {
    const gw = await start(`${AUTH_YAML}cache: { responses: { enabled: false } }\n`, KEYS);
    const models = await postGraphQL(gw.url, MODELS, undefined, bearer(KEY_A));
    expect(models.body.errors).toBeUndefined();
    expect(models.headers.get('etag')).toBeNull();
  });

  it('leaves graphql-ws alone: the same query works over websockets, before and after it is cached', async () => {
    const gw = await start(AUTH_YAML, KEYS);
    const client = createWsClient(gw.wsUrl, { authorization: `Bearer ${KEY_A}` });
    try {
      const overWs = await collectWs(client, MODELS);
      expect(overWs).toHaveLength(1);
      expect(overWs[0]?.errors).toBeUndefined();
      const http = await postGraphQL(gw.url, MODELS, undefined, bearer(KEY_A));
      expect(http.headers.get('etag')).toBeTruthy();
      const before = await lookups(gw.origin);
      const again = await collectWs(client, MODELS);
      expect(again[0]?.errors).toBeUndefined();
      expect(again[0]?.data).toEqual(http.body.data);
      // Websocket operations never touch the cache.
      expect(await lookups(gw.origin)).toEqual(before);
    } finally {
      await client.dispose();
    }
  });
});

describe('response cache (Redis store)', () => {
  let redis: RedisServer;
  let inspect: Redis;

  beforeAll(async () => {
    redis = await startRedisServer();
    inspect = new Redis(redis.url, { lazyConnect: true });
    await inspect.connect();
  });

  afterAll(async () => {
    inspect?.disconnect();
    await redis?.stop();
  });

  it('shares entries between replicas under the prefix, with TTLs, and writes nothing outside it', async () => {
    await inspect.flushall();
    const keyPrefix = `rc-${randomUUID()}:`;
    const yaml = `${AUTH_YAML}redis: { url: "${redis.url}", keyPrefix: "${keyPrefix}" }\n`;
    const a = await start(yaml, KEYS);
    const b = await start(yaml, KEYS);

    const fromA = await postGraphQL(a.url, MODELS, undefined, bearer(KEY_A));
    expect(fromA.body.errors).toBeUndefined();
    const etag = fromA.headers.get('etag');
    expect(etag).toBeTruthy();

    // B answers A's entry: a 304 for A's ETag, and a hit on B's lookup.
    const before = await lookups(b.origin);
    const conditional = await post(b.url, MODELS, { authorization: `Bearer ${KEY_A}`, 'if-none-match': etag as string });
    expect(conditional.status).toBe(304);
    const fromB = await postGraphQL(b.url, MODELS, undefined, bearer(KEY_A));
    expect(fromB.body).toEqual(fromA.body);
    expect(fromB.headers.get('etag')).toBe(etag);
    const after = await lookups(b.origin);
    expect(after.hit).toBe(before.hit + 2);
    expect(after.miss).toBe(before.miss);

    // Only B's own session on B: key B misses there.
    const otherCaller = await post(b.url, MODELS, { authorization: `Bearer ${KEY_B}`, 'if-none-match': etag as string });
    expect(otherCaller.status).toBe(200);

    const all = await inspect.keys('*'); // test-only inspection
    const entries = all.filter((key) => key.startsWith(`${keyPrefix}rc:`));
    expect(entries).toHaveLength(2); // key A's and key B's `{ models { id } }`
    for (const key of entries) {
      const ttl = await inspect.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    expect(all.filter((key) => !key.startsWith(keyPrefix))).toEqual([]);
    expect(await inspect.dbsize()).toBe(all.filter((key) => key.startsWith(keyPrefix)).length);

    // Live data never reaches Redis.
    await postGraphQL(a.url, MODELS_WITH_HEALTH, undefined, bearer(KEY_A));
    expect((await inspect.keys(`${keyPrefix}rc:*`)).length).toBe(2);
  });
});
