import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCompletionCache, type CompletionCache } from '../../src/cache/completion-cache.js';
import type { CachedCompletion } from '../../src/stores/completion-store.js';
import type { CacheConfig } from '../../src/config/config-schema.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const completion = (content: string, finishReason: CachedCompletion['finishReason'] = 'stop'): CachedCompletion => ({
  id: `id-${content}`,
  model: 'openai/gpt',
  provider: 'openai',
  content,
  toolCalls: finishReason === 'tool_calls' ? [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }] : [],
  finishReason,
  usage: { promptTokens: 3, completionTokens: 5 },
});

const config = (overrides: Partial<CacheConfig['completions']> = {}): CacheConfig['completions'] => ({
  mode: 'always',
  ttlSeconds: 60,
  scope: 'key',
  maxEntries: 100,
  maxBytes: 1_000_000,
  ...overrides,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What both stores promise. */
function contract(name: string, make: (overrides?: Partial<CacheConfig['completions']>) => CompletionCache) {
  describe(`${name} completion cache`, () => {
    it('round-trips a completion (stop and tool_calls)', async () => {
      const cache = make();
      expect(await cache.get('k:1')).toBeUndefined();
      await cache.set('k:1', completion('hello'));
      await cache.set('k:2', completion('calls', 'tool_calls'));
      expect(await cache.get('k:1')).toEqual(completion('hello'));
      expect(await cache.get('k:2')).toEqual(completion('calls', 'tool_calls'));
      await cache.set('k:1', completion('again'));
      expect(await cache.get('k:1')).toEqual(completion('again'));
    });

    it('returns copies: mutating a hit does not change the stored entry', async () => {
      const cache = make();
      await cache.set('k:copy', completion('x'));
      const hit = await cache.get('k:copy');
      hit!.content = 'mutated';
      expect((await cache.get('k:copy'))?.content).toBe('x');
    });

    it('refuses incomplete answers', async () => {
      const cache = make();
      for (const reason of ['length', 'content_filter', 'other'] as const) {
        await cache.set(`k:${reason}`, completion('cut', reason));
        expect(await cache.get(`k:${reason}`)).toBeUndefined();
      }
    });

    describe('singleFlight', () => {
      it('50 concurrent callers share one load and its value', async () => {
        const cache = make();
        let calls = 0;
        const load = async () => {
          calls++;
          await sleep(20);
          return { value: calls };
        };
        const results = await Promise.all(Array.from({ length: 50 }, () => cache.singleFlight('k:sf', load)));
        expect(calls).toBe(1);
        expect(new Set(results).size).toBe(1);
        expect(results[0]).toEqual({ value: 1 });
        // Settled: the next call loads again.
        await cache.singleFlight('k:sf', load);
        expect(calls).toBe(2);
      });

      it('different keys load separately', async () => {
        const cache = make();
        let calls = 0;
        const load = async () => ++calls;
        await Promise.all([cache.singleFlight('k:a', load), cache.singleFlight('k:b', load)]);
        expect(calls).toBe(2);
      });

      it('a failing load rejects all 50 callers; the next call loads again', async () => {
        const cache = make();
        let calls = 0;
        const failing = async (): Promise<string> => {
          calls++;
          await sleep(10);
          throw new Error('upstream down');
        };
        const settled = await Promise.allSettled(Array.from({ length: 50 }, () => cache.singleFlight('k:fail', failing)));
        expect(calls).toBe(1);
        expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'upstream down')).toBe(true);
        expect(await cache.singleFlight('k:fail', async () => 'ok')).toBe('ok');
      });

      it('a synchronous throw in load rejects and does not stick', async () => {
        const cache = make();
        await expect(
          cache.singleFlight('k:sync', () => {
            throw new Error('sync');
          }),
        ).rejects.toThrow('sync');
        expect(await cache.singleFlight('k:sync', async () => 1)).toBe(1);
      });
    });
  });
}

describe('memory store', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  contract('memory', (overrides) => createCompletionCache({ config: config(overrides) })!);

  it('expires entries after the TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const cache = createCompletionCache({ config: config({ ttlSeconds: 2 }) })!;
    await cache.set('k:ttl', completion('soon gone'));
    vi.setSystemTime(new Date('2026-01-01T00:00:01.999Z'));
    expect(await cache.get('k:ttl')).toEqual(completion('soon gone'));
    vi.setSystemTime(new Date('2026-01-01T00:00:02Z'));
    expect(await cache.get('k:ttl')).toBeUndefined();
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = createCompletionCache({ config: config({ maxEntries: 3 }) })!;
    await cache.set('k:1', completion('1'));
    await cache.set('k:2', completion('2'));
    await cache.set('k:3', completion('3'));
    expect(await cache.get('k:1')).toBeDefined(); // now most recently used
    await cache.set('k:4', completion('4')); // evicts k:2
    expect(await cache.get('k:2')).toBeUndefined();
    expect(await cache.get('k:1')).toBeDefined();
    expect(await cache.get('k:3')).toBeDefined();
    expect(await cache.get('k:4')).toBeDefined();
    for (let i = 5; i < 50; i++) await cache.set(`k:${i}`, completion(String(i)));
    const present = await Promise.all(Array.from({ length: 50 }, (_, i) => cache.get(`k:${i}`)));
    expect(present.filter(Boolean)).toHaveLength(3);
    expect(await cache.get('k:49')).toEqual(completion('49'));
  });

  it('keeps at most maxBytes of answers, evicting the least recently used, and never keeps one larger than that', async () => {
    const size = JSON.stringify(completion('x'.repeat(1_000))).length;
    const cache = createCompletionCache({ config: config({ maxBytes: 3 * size }) })!;
    for (const key of ['k:1', 'k:2', 'k:3']) await cache.set(key, completion('x'.repeat(1_000)));
    expect(await cache.get('k:1')).toBeDefined(); // now most recently used
    await cache.set('k:4', completion('y'.repeat(1_000))); // evicts k:2
    expect(await cache.get('k:2')).toBeUndefined();
    for (const key of ['k:1', 'k:3', 'k:4']) expect(await cache.get(key)).toBeDefined();
    // Replacing an entry counts its new size only.
    await cache.set('k:4', completion('z'.repeat(1_000)));
    for (const key of ['k:1', 'k:3', 'k:4']) expect(await cache.get(key)).toBeDefined();
    // One answer longer than the whole bound is not kept, and evicts nothing.
    await cache.set('k:huge', completion('h'.repeat(4 * size)));
    expect(await cache.get('k:huge')).toBeUndefined();
    for (const key of ['k:1', 'k:3', 'k:4']) expect(await cache.get(key)).toBeDefined();
  });
});

describe('redis store', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  /** Production-like: fail fast instead of queueing while Redis is away. */
  const connect = (port: number) => {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 2_000, retryStrategy: (times) => Math.min(times * 200, 2_000) });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  let client: Redis;
  const make = (overrides?: Partial<CacheConfig['completions']>, keyPrefix = `test-${randomUUID()}:`) =>
    createCompletionCache({ config: config(overrides), redis: { client, keyPrefix } })!;

  beforeAll(async () => {
    server = await startRedisServer();
    client = connect(server.port);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    for (const c of clients) c.disconnect();
    await server?.stop();
  });

  contract('redis', (overrides) => make(overrides));

  it('stores JSON under ${keyPrefix}cc:${key} with a PX expiry', async () => {
    const keyPrefix = `test-${randomUUID()}:`;
    const cache = make({ ttlSeconds: 120 }, keyPrefix);
    await cache.set('tenant:abc', completion('stored'));
    expect(JSON.parse((await client.get(`${keyPrefix}cc:tenant:abc`)) ?? 'null')).toEqual(completion('stored'));
    const pttl = await client.pttl(`${keyPrefix}cc:tenant:abc`);
    expect(pttl).toBeGreaterThan(110_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
  });

  it('shares entries between instances with the same prefix (replicas), not across prefixes', async () => {
    const keyPrefix = `test-${randomUUID()}:`;
    await make(undefined, keyPrefix).set('k:shared', completion('shared'));
    expect(await make(undefined, keyPrefix).get('k:shared')).toEqual(completion('shared'));
    expect(await make().get('k:shared')).toBeUndefined();
  });

  it('treats an unreadable value as a miss', async () => {
    const keyPrefix = `test-${randomUUID()}:`;
    await client.set(`${keyPrefix}cc:k:bad`, 'not json');
    await client.set(`${keyPrefix}cc:k:cut`, JSON.stringify(completion('cut', 'length')));
    const cache = make(undefined, keyPrefix);
    expect(await cache.get('k:bad')).toBeUndefined();
    expect(await cache.get('k:cut')).toBeUndefined();
  });

  it('expires entries after the TTL', async () => {
    const cache = make({ ttlSeconds: 1 });
    await cache.set('k:ttl', completion('soon gone'));
    expect(await cache.get('k:ttl')).toEqual(completion('soon gone'));
    await sleep(1_150);
    expect(await cache.get('k:ttl')).toBeUndefined();
  });

  it('fails open while Redis is down: get misses, set resolves', async () => {
    const own = await startRedisServer();
    try {
      const ownClient = connect(own.port);
      const cache = createCompletionCache({ config: config(), redis: { client: ownClient, keyPrefix: `test-${randomUUID()}:` } })!;
      await cache.set('k:1', completion('before'));
      expect(await cache.get('k:1')).toEqual(completion('before'));
      await own.stop();
      await expect(cache.get('k:1')).resolves.toBeUndefined();
      await expect(cache.set('k:2', completion('during'))).resolves.toBeUndefined();
      // singleFlight does not depend on Redis.
      expect(await cache.singleFlight('k:3', async () => 'loaded')).toBe('loaded');
    } finally {
      await own.stop();
    }
  });
});

describe('redis cluster store', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
  });
  afterAll(async () => {
    await client?.quit().catch(() => undefined);
    await cluster?.stop();
  });

  contract('redis cluster', (overrides) => createCompletionCache({ config: config(overrides), redis: { client, keyPrefix: `test-${randomUUID()}:` } })!);
});
