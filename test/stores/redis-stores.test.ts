import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type RedisStores } from '../../src/stores/redis/create-redis-stores.js';
import type { StoredApiKey } from '../../src/stores/store-types.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

/** What only the Redis stores promise: key layout, TTLs, connection ownership, outages. */
describe('redis stores', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(server.url);
    client.on('error', () => undefined); // outage tests: reconnect errors are expected
    clients.push(client);
    return client;
  };
  const stores = async (keyPrefix = `test-${randomUUID()}:`): Promise<{ stores: RedisStores; client: Redis; keyPrefix: string }> => {
    const client = connect();
    const created = createRedisStores({ client, subscriber: connect(), keyPrefix });
    await created.ready();
    return { stores: created, client, keyPrefix };
  };
  const apiKey = (id: string): StoredApiKey => ({ id, secretHash: `hash-${id}`, scopes: [], models: [], limits: {}, createdAt: '2025-01-01T00:00:00.000Z', source: 'api' });

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit().catch(() => undefined)));
    await server?.stop();
  });

  it('lays keys out under the prefix, with the documented expiries', async () => {
    const { stores: s, client } = await stores('sb:');
    await s.rateLimits.take('user:1', 10, 60_000, 2);
    expect(await client.pttl('sb:rl:user:1')).toBeGreaterThan(11_000);
    expect(await client.pttl('sb:rl:user:1')).toBeLessThanOrEqual(12_000);

    await s.budgets.reserve('month', 5, 100, 50_000);
    await s.budgets.adjust('month', 5, 999_999);
    expect(await client.get('sb:budget:month')).toBe('10');
    expect(await client.pttl('sb:budget:month')).toBeLessThanOrEqual(50_000);

    const increment = { id: 'inc-1', keyId: 'k', subject: 'k', model: 'x/y:z', day: '2025-01-01', requests: 1, promptTokens: 2, completionTokens: 3, reasoningTokens: 1, cachedPromptTokens: 2, costMicros: 4 };
    await s.usage.add(increment);
    // A replay of the same increment (a write retried after a timeout) is not counted twice.
    await s.usage.add(increment);
    expect(await client.hgetall('sb:usage:{k}:2025-01-01')).toEqual({
      'x/y:z|requests': '1',
      'x/y:z|promptTokens': '2',
      'x/y:z|completionTokens': '3',
      'x/y:z|reasoningTokens': '1',
      'x/y:z|cachedPromptTokens': '2',
      'x/y:z|costMicros': '4',
    });
    expect(await client.ttl('sb:usage:{k}:2025-01-01')).toBeGreaterThan(399 * 24 * 3600);

    await s.keys.create(apiKey('a'));
    expect(await client.hget('sb:{keys}:byid', 'a')).toBe('hash-a');
    expect(JSON.parse((await client.hget('sb:{keys}:byhash', 'hash-a')) ?? '{}')).toEqual(apiKey('a'));
    await s.close();
  });

  it('close() stops revocation listeners but leaves the injected connections open', async () => {
    const { stores: a, client } = await stores();
    const heard: string[] = [];
    a.keys.onRevoked((hash) => heard.push(hash));
    await a.close();
    expect(await client.ping()).toBe('PONG');
    await a.keys.create(apiKey('late'));
    await a.keys.revoke('late', '2025-01-02T00:00:00.000Z');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).toEqual([]);
  });

  it('survives an outage: ping turns false, then everything works again after a restart', async () => {
    const keyPrefix = `test-${randomUUID()}:`;
    const { stores: a } = await stores(keyPrefix);
    const { stores: b } = await stores(keyPrefix);
    await server.stop();
    const started = Date.now();
    expect(await a.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
    await server.restart();
    await expect.poll(() => a.ping(), { timeout: 10_000, interval: 100 }).toBe(true);
    // The restart flushed the script cache: EVALSHA must fall back to EVAL.
    expect((await a.rateLimits.take('after', 1, 60_000, 1)).allowed).toBe(true);
    expect((await b.rateLimits.take('after', 1, 60_000, 1)).allowed).toBe(false);
    // The subscriber resubscribes on reconnect; revoking again republishes until b hears it.
    const heard: string[] = [];
    b.keys.onRevoked((hash) => heard.push(hash));
    await a.keys.create(apiKey('outage'));
    await expect
      .poll(
        async () => {
          await a.keys.revoke('outage', '2025-01-02T00:00:00.000Z');
          return heard.length > 0;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    await a.close();
    await b.close();
  });
});
