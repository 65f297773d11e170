import type { Cluster, Redis } from 'ioredis';
import type { Cache } from '@graphql-yoga/plugin-response-cache';

/**
 * The response cache's store on our Redis client: one string key per entry,
 * `${keyPrefix}rc:${cacheKey}`, a JSON result with a `PX` expiry. Single-key
 * commands only (never KEYS/SCAN), so it works on a Cluster too.
 *
 * Entity invalidation is a no-op: the cached data is the read-only catalog
 * (models, routes, providers, embeddings), which no mutation changes; the types
 * mutations do return (ApiKey, Budget, usage) are never cached (TTL 0), and every
 * entry expires by its TTL. The in-memory store (the default) still invalidates.
 *
 * Fails open: a Redis error is a miss on `get` and is ignored on `set`.
 */
export function createRedisResponseCache(client: Redis | Cluster, keyPrefix: string): Cache {
  const redisKey = (key: string) => `${keyPrefix}rc:${key}`;
  return {
    async get(key) {
      try {
        const text = await client.get(redisKey(key));
        if (text === null) return undefined;
        const value = JSON.parse(text) as unknown;
        return value !== null && typeof value === 'object' ? (value as Awaited<ReturnType<Cache['get']>>) : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, data, _entities, ttl) {
      // Infinity or a fraction would be refused by PX; nothing is cached without a finite, positive TTL.
      if (!Number.isFinite(ttl) || ttl <= 0) return;
      try {
        await client.set(redisKey(key), JSON.stringify(data), 'PX', Math.ceil(ttl));
      } catch {
        // A cache that cannot write just misses next time.
      }
    },
    invalidate() {
      // See above: nothing cached here is changed by a mutation.
    },
  };
}
