import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStores } from '../../src/stores/memory/create-memory-stores.js';
import { createRedisStores } from '../../src/stores/redis/create-redis-stores.js';
import type { StoredApiKey, Stores, UsageIncrement } from '../../src/stores/store-types.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

/** One backend as the suite sees it: two replicas sharing state, and a way to let time pass. */
interface Backend {
  name: 'memory' | 'redis' | 'redis cluster';
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Two Stores on one shared state (memory: one process, so the same instance twice). */
  replicas(): Promise<{ a: Stores; b: Stores }>;
  /** Memory moves its fake clock; Redis (server clock) really waits. */
  advance(ms: number): Promise<void>;
  /**
   * Writes usage fields straight into the shared state of the latest replicas, the way an
   * older version (or a newer one) left them; absent for memory, whose counters never
   * outlive the process that wrote them.
   */
  writeRawUsage?(subject: string, day: string, fields: Record<string, number>): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function memoryBackend(): Backend {
  let now = 1_700_000_000_000; // a realistic epoch: float drift shows at this magnitude
  return {
    name: 'memory',
    setup: async () => undefined,
    teardown: async () => undefined,
    async replicas() {
      const stores = createMemoryStores({ now: () => now });
      return { a: stores, b: stores };
    },
    async advance(ms) {
      now += ms;
    },
  };
}

/** The usage hash layout of src/stores/redis/redis-usage.ts, written field by field. */
async function writeRawUsageHash(client: Redis | Cluster, keyPrefix: string, subject: string, day: string, fields: Record<string, number>): Promise<void> {
  await client.hset(`${keyPrefix}usage:{${subject}}:${day}`, fields);
}

function redisBackend(): Backend {
  let server: RedisServer;
  let keyPrefix = '';
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(server.url);
    clients.push(client);
    return client;
  };
  return {
    name: 'redis',
    async setup() {
      server = await startRedisServer();
    },
    async teardown() {
      await Promise.all(clients.map((client) => client.quit()));
      await server?.stop();
    },
    async replicas() {
      // Two replicas: each with its own command and subscriber connections.
      keyPrefix = `test-${randomUUID()}:`;
      const a = createRedisStores({ client: connect(), subscriber: connect(), keyPrefix });
      const b = createRedisStores({ client: connect(), subscriber: connect(), keyPrefix });
      await Promise.all([a.ready(), b.ready()]);
      return { a, b };
    },
    advance: sleep,
    writeRawUsage: (subject, day, fields) => writeRawUsageHash(connect(), keyPrefix, subject, day, fields),
  };
}

/** Three masters: every multi-key script must keep its keys in one slot (hash tags). */
function redisClusterBackend(): Backend {
  let cluster: RedisCluster;
  let keyPrefix = '';
  const clients: Cluster[] = [];
  const connect = () => {
    const client = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
    clients.push(client);
    return client;
  };
  return {
    name: 'redis cluster',
    async setup() {
      cluster = await startRedisCluster();
    },
    async teardown() {
      await Promise.all(clients.map((client) => client.quit()));
      await cluster?.stop();
    },
    async replicas() {
      keyPrefix = `test-${randomUUID()}:`;
      const a = createRedisStores({ client: connect(), subscriber: connect(), keyPrefix });
      const b = createRedisStores({ client: connect(), subscriber: connect(), keyPrefix });
      await Promise.all([a.ready(), b.ready()]);
      return { a, b };
    },
    advance: sleep,
    writeRawUsage: (subject, day, fields) => writeRawUsageHash(connect(), keyPrefix, subject, day, fields),
  };
}

function key(overrides: Partial<StoredApiKey> = {}): StoredApiKey {
  const id = overrides.id ?? `key-${randomUUID()}`;
  return { id, secretHash: `hash-of-${id}`, scopes: ['chat'], models: [], limits: {}, createdAt: '2025-01-01T00:00:00.000Z', source: 'api', ...overrides };
}

function usage(overrides: Partial<UsageIncrement> = {}): UsageIncrement {
  return { id: randomUUID(), keyId: 'k1', subject: 'k1', model: 'openai/gpt-4o-mini', day: '2025-01-01', requests: 1, promptTokens: 10, completionTokens: 5, reasoningTokens: 3, cachedPromptTokens: 4, costMicros: 7, ...overrides };
}

describe.each([memoryBackend(), redisBackend(), redisClusterBackend()])('$name stores', (backend) => {
  let a: Stores;
  let b: Stores;

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    ({ a, b } = await backend.replicas());
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('reports its backend and answers ping', async () => {
    expect(a.backend).toBe(backend.name === 'memory' ? 'memory' : 'redis');
    expect(await a.ping()).toBe(true);
  });

  describe('rate limits (GCRA)', () => {
    it('allows a burst of exactly limit, then refills one unit per interval', async () => {
      // limit 5 per second: one unit every 200 ms.
      for (let i = 0; i < 5; i++) expect((await a.rateLimits.take('burst', 5, 1_000, 1)).allowed).toBe(true);
      const refused = await a.rateLimits.take('burst', 5, 1_000, 1);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(100);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(200);
      await backend.advance(refused.retryAfterMs);
      expect((await a.rateLimits.take('burst', 5, 1_000, 1)).allowed).toBe(true);
      expect((await a.rateLimits.take('burst', 5, 1_000, 1)).allowed).toBe(false);
    });

    it('allows a burst of exactly limit with a non-integral interval', async () => {
      // 60 s / 7: the TAT accumulates a fraction that must not refuse the 7th unit.
      for (let i = 0; i < 7; i++) expect((await a.rateLimits.take('odd', 7, 60_000, 1)).allowed).toBe(true);
      expect((await a.rateLimits.take('odd', 7, 60_000, 1)).allowed).toBe(false);
    });

    it('allows a burst of exactly limit at a high rate (no float drift)', async () => {
      // 3001 additions of 60 s / 3001 onto an epoch-sized TAT would drift ~0.2 ms, over the slack.
      const decisions = await Promise.all(Array.from({ length: 3_001 }, (_, i) => (i % 2 ? a : b).rateLimits.take('fast', 3_001, 60_000, 1)));
      expect(decisions.every((decision) => decision.allowed)).toBe(true);
      // Refill is one unit per 20 ms: a 100-unit take cannot fit for 2 s.
      expect((await a.rateLimits.take('fast', 3_001, 60_000, 100)).allowed).toBe(false);
    });

    it('takes cost units at once, and a refused take takes nothing', async () => {
      expect((await a.rateLimits.take('cost', 10, 60_000, 4)).allowed).toBe(true);
      expect((await a.rateLimits.take('cost', 10, 60_000, 4)).allowed).toBe(true);
      const refused = await a.rateLimits.take('cost', 10, 60_000, 4);
      expect(refused.allowed).toBe(false);
      // Two units short at 6 s each: 12 s to wait (less what elapsed on a real clock).
      expect(refused.retryAfterMs).toBeGreaterThan(11_900);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(12_000);
      expect((await a.rateLimits.take('cost', 10, 60_000, 2)).allowed).toBe(true);
      expect((await a.rateLimits.take('cost', 10, 60_000, 1)).allowed).toBe(false);
    });

    it('keeps keys apart and shares one key between replicas', async () => {
      expect((await a.rateLimits.take('shared', 2, 60_000, 2)).allowed).toBe(true);
      expect((await b.rateLimits.take('shared', 2, 60_000, 1)).allowed).toBe(false);
      expect((await b.rateLimits.take('other', 2, 60_000, 2)).allowed).toBe(true);
    });

    it('adjust gives back and takes more capacity without refusing', async () => {
      expect((await a.rateLimits.take('adj', 10, 60_000, 10)).allowed).toBe(true);
      await a.rateLimits.adjust('adj', 10, 60_000, -3);
      expect((await b.rateLimits.take('adj', 10, 60_000, 3)).allowed).toBe(true);
      expect((await b.rateLimits.take('adj', 10, 60_000, 1)).allowed).toBe(false);
      // Past the limit is allowed for adjust: the real usage was larger than reserved.
      await a.rateLimits.adjust('adj', 10, 60_000, 5);
      const refused = await a.rateLimits.take('adj', 10, 60_000, 1);
      expect(refused.retryAfterMs).toBeGreaterThan(35_900); // 5 over + 1 unit = 6 × 6 s
    });

    it('adjust below now empties the bucket: a full burst fits again', async () => {
      await a.rateLimits.take('reset', 5, 60_000, 5);
      await a.rateLimits.adjust('reset', 5, 60_000, -100);
      expect((await a.rateLimits.take('reset', 5, 60_000, 5)).allowed).toBe(true);
      expect((await a.rateLimits.take('reset', 5, 60_000, 1)).allowed).toBe(false);
    });

    it('is atomic: 200 concurrent takes over two replicas allow exactly 50', async () => {
      const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).rateLimits.take('race', 50, 60_000, 1)));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(50);
    });
  });

  describe('budgets', () => {
    it('reserves within the cap, refuses past it, and reports the spend', async () => {
      expect(await a.budgets.spent('b1')).toBe(0);
      expect(await a.budgets.reserve('b1', 300, 500, 60_000)).toEqual({ allowed: true, spentMicros: 300 });
      expect(await b.budgets.reserve('b1', 201, 500, 60_000)).toEqual({ allowed: false, spentMicros: 300 });
      expect(await b.budgets.reserve('b1', 200, 500, 60_000)).toEqual({ allowed: true, spentMicros: 500 });
      expect(await a.budgets.spent('b1')).toBe(500);
    });

    it('never exceeds the cap under concurrency: 100 × 10 against 500 allows exactly 50', async () => {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).budgets.reserve('race', 10, 500, 60_000)));
      expect(results.filter((result) => result.allowed)).toHaveLength(50);
      expect(await a.budgets.spent('race')).toBe(500);
    });

    it('adjust releases and adds unconditionally', async () => {
      await a.budgets.reserve('b2', 500, 500, 60_000);
      await b.budgets.adjust('b2', -120, 60_000);
      expect(await a.budgets.spent('b2')).toBe(380);
      expect((await a.budgets.reserve('b2', 120, 500, 60_000)).allowed).toBe(true);
      await a.budgets.adjust('b2', 1_000, 60_000);
      expect(await b.budgets.spent('b2')).toBe(1_500);
      await a.budgets.adjust('fresh', -5, 60_000);
      expect(await a.budgets.spent('fresh')).toBe(-5);
    });

    it('expires the period ttl after its first write, not after later ones', async () => {
      await a.budgets.reserve('ttl', 100, 1_000, 300);
      await backend.advance(150);
      await a.budgets.adjust('ttl', 50, 60_000);
      await a.budgets.reserve('ttl', 50, 1_000, 60_000);
      expect(await a.budgets.spent('ttl')).toBe(200);
      await backend.advance(250);
      expect(await a.budgets.spent('ttl')).toBe(0);
      expect(await a.budgets.reserve('ttl', 1_000, 1_000, 300)).toEqual({ allowed: true, spentMicros: 1_000 });
    });
  });

  describe('leases', () => {
    it('holds at most `limit` leases per key across replicas, each holder once, and frees them on release', async () => {
      const key = `lease-${randomUUID()}`;
      expect(await a.leases.acquire(key, 'h1', 2, 60_000)).toBe(true);
      expect(await b.leases.acquire(key, 'h1', 2, 60_000)).toBe(true);
      expect(await b.leases.acquire(key, 'h2', 2, 60_000)).toBe(true);
      expect(await a.leases.acquire(key, 'h3', 2, 60_000)).toBe(false);
      await b.leases.refresh(key, 'h1', 60_000);
      await b.leases.release(key, 'h1');
      await b.leases.release(key, 'h1');
      expect(await a.leases.acquire(key, 'h3', 2, 60_000)).toBe(true);
      expect(await a.leases.acquire(`${key}-other`, 'h4', 1, 60_000)).toBe(true);
    });

    it('admits exactly `limit` of 50 concurrent acquisitions over two replicas', async () => {
      const key = `lease-${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).leases.acquire(key, `h${i}`, 7, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(7);
    });
  });

  describe('usage', () => {
    it('sums increments per model and day, and reads only the asked days', async () => {
      await a.usage.add(usage());
      await b.usage.add(usage({ requests: 2, promptTokens: 20, completionTokens: 1, reasoningTokens: 1, cachedPromptTokens: 16, costMicros: 3 }));
      await a.usage.add(usage({ model: 'anthropic/claude-haiku' }));
      await a.usage.add(usage({ day: '2025-01-02' }));
      await a.usage.add(usage({ subject: 'k2' }));
      expect(await b.usage.read('k1', ['2025-01-02', '2025-01-01', '2024-12-31'])).toEqual([
        { model: 'openai/gpt-4o-mini', day: '2025-01-02', requests: 1, promptTokens: 10, completionTokens: 5, reasoningTokens: 3, cachedPromptTokens: 4, costMicros: 7 },
        { model: 'anthropic/claude-haiku', day: '2025-01-01', requests: 1, promptTokens: 10, completionTokens: 5, reasoningTokens: 3, cachedPromptTokens: 4, costMicros: 7 },
        { model: 'openai/gpt-4o-mini', day: '2025-01-01', requests: 3, promptTokens: 30, completionTokens: 6, reasoningTokens: 4, cachedPromptTokens: 20, costMicros: 10 },
      ]);
      expect(await a.usage.read('nobody', ['2025-01-01'])).toEqual([]);
      expect(await a.usage.read('k1', [])).toEqual([]);
    });

    it('sums 300 concurrent adds over two replicas exactly', async () => {
      await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).usage.add(usage({ subject: 'busy', costMicros: 1_234 }))));
      expect(await a.usage.read('busy', ['2025-01-01'])).toEqual([
        { model: 'openai/gpt-4o-mini', day: '2025-01-01', requests: 300, promptTokens: 3_000, completionTokens: 1_500, reasoningTokens: 900, cachedPromptTokens: 1_200, costMicros: 370_200 },
      ]);
    });

    it('keeps zero reasoning and cached counters as 0, and rounds fractions like the other counters', async () => {
      await a.usage.add(usage({ subject: 'plain', reasoningTokens: 0, cachedPromptTokens: 0 }));
      await b.usage.add(usage({ subject: 'plain', reasoningTokens: 2.4, cachedPromptTokens: 0.6 }));
      expect(await a.usage.read('plain', ['2025-01-01'])).toEqual([
        { model: 'openai/gpt-4o-mini', day: '2025-01-01', requests: 2, promptTokens: 20, completionTokens: 10, reasoningTokens: 2, cachedPromptTokens: 1, costMicros: 14 },
      ]);
    });

    it.skipIf(!backend.writeRawUsage)('reads counters written before reasoning and cached tokens were kept as 0, and adds on top of them', async () => {
      // What a replica of the previous version wrote: no reasoningTokens/cachedPromptTokens fields.
      const legacy = { requests: 2, promptTokens: 40, completionTokens: 8, costMicros: 9 };
      const fieldsOf = (model: string, counters: Record<string, number>) => Object.fromEntries(Object.entries(counters).map(([name, value]) => [`${model}|${name}`, value]));
      await backend.writeRawUsage?.('legacy', '2025-01-01', { ...fieldsOf('old/model', legacy), ...fieldsOf('openai/gpt-4o-mini', legacy) });
      // A field a later version may add is ignored rather than read as a counter.
      await backend.writeRawUsage?.('legacy', '2025-01-01', { 'old/model|futureCounter': 5 });
      await b.usage.add(usage({ subject: 'legacy' }));
      expect(await a.usage.read('legacy', ['2025-01-01'])).toEqual([
        { model: 'old/model', day: '2025-01-01', ...legacy, reasoningTokens: 0, cachedPromptTokens: 0 },
        { model: 'openai/gpt-4o-mini', day: '2025-01-01', requests: 3, promptTokens: 50, completionTokens: 13, reasoningTokens: 3, cachedPromptTokens: 4, costMicros: 16 },
      ]);
    });

    it('round-trips model ids containing "|", ":" and "/"', async () => {
      const models = ['openrouter/meta-llama/llama-3:free', 'weird|model|id', 'a:b|c:d', 'ollama/qwen2.5:7b'];
      for (const model of models) await a.usage.add(usage({ subject: 'odd', model }));
      const rows = await b.usage.read('odd', ['2025-01-01']);
      expect(rows.map((row) => row.model)).toEqual([...models].sort());
      for (const row of rows) expect(row).toMatchObject({ requests: 1, promptTokens: 10, completionTokens: 5, reasoningTokens: 3, cachedPromptTokens: 4, costMicros: 7 });
    });
  });

  describe('keys', () => {
    it('creates, finds by hash and by id, and lists', async () => {
      const first = key({ id: 'first', models: ['openai/*'], limits: { requestsPerMinute: 60 } });
      const second = key({ id: 'second', createdAt: '2025-02-01T00:00:00.000Z', source: 'config' });
      expect(await a.keys.create(second)).toBe(true);
      expect(await a.keys.create(first)).toBe(true);
      expect(await b.keys.findByHash(first.secretHash)).toEqual(first);
      expect(await b.keys.findById('second')).toEqual(second);
      expect(await b.keys.findByHash('unknown')).toBeUndefined();
      expect(await b.keys.findById('unknown')).toBeUndefined();
      expect(await b.keys.list()).toEqual([first, second]);
    });

    it('refuses a taken id or secret hash, also when two replicas race', async () => {
      expect(await a.keys.create(key({ id: 'dup' }))).toBe(true);
      expect(await b.keys.create(key({ id: 'dup', secretHash: 'another' }))).toBe(false);
      expect(await b.keys.create(key({ id: 'other', secretHash: 'hash-of-dup' }))).toBe(false);
      const results = await Promise.all([a, b, a, b].map((stores, i) => stores.keys.create(key({ id: 'race', secretHash: `race-${i}` }))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await a.keys.list()).toHaveLength(2);
    });

    it('revokes: the record stays with revokedAt and every replica hears it', async () => {
      const created = key({ id: 'doomed' });
      await a.keys.create(created);
      const heardA: string[] = [];
      const heardB: string[] = [];
      a.keys.onRevoked((hash) => heardA.push(hash));
      const unsubscribe = b.keys.onRevoked((hash) => heardB.push(hash));
      const at = '2025-03-01T00:00:00.000Z';
      expect(await a.keys.revoke('doomed', at)).toEqual({ ...created, revokedAt: at });
      expect(await b.keys.findByHash(created.secretHash)).toEqual({ ...created, revokedAt: at });
      expect(await b.keys.findById('doomed')).toEqual({ ...created, revokedAt: at });
      await expect.poll(() => [heardA, heardB], { timeout: 1_000, interval: 10 }).toEqual([[created.secretHash], [created.secretHash]]);
      expect(await a.keys.revoke('unknown', at)).toBeUndefined();
      // A second revocation keeps the first time.
      unsubscribe();
      expect((await b.keys.revoke('doomed', '2026-01-01T00:00:00.000Z'))?.revokedAt).toBe(at);
    });

    it('upsertFromConfig inserts and replaces, but never un-revokes', async () => {
      const configured = key({ id: 'cfg', source: 'config', scopes: ['chat'] });
      await a.keys.upsertFromConfig(configured);
      expect(await b.keys.findById('cfg')).toEqual(configured);
      const changed = { ...configured, scopes: ['chat', 'admin'] };
      await b.keys.upsertFromConfig(changed);
      expect(await a.keys.findByHash(configured.secretHash)).toEqual(changed);
      await a.keys.revoke('cfg', '2025-04-01T00:00:00.000Z');
      await b.keys.upsertFromConfig(changed);
      expect(await a.keys.findById('cfg')).toEqual({ ...changed, revokedAt: '2025-04-01T00:00:00.000Z' });
      // A rotated secret replaces the old hash, and the id stays revoked.
      const rotated = { ...changed, secretHash: 'rotated' };
      await b.keys.upsertFromConfig(rotated);
      expect(await a.keys.findByHash(configured.secretHash)).toBeUndefined();
      expect(await a.keys.findByHash('rotated')).toEqual({ ...rotated, revokedAt: '2025-04-01T00:00:00.000Z' });
      expect(await a.keys.list()).toHaveLength(1);
    });
  });
});
