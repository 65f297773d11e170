import type { Cluster, Redis } from 'ioredis';
import { decodeCompletion, type CompletionStore } from '../completion-store.js';

/**
 * Cached completions shared by every replica: `${keyPrefix}cc:${key}`, a JSON value with a PX
 * expiry; single-key commands only (no KEYS/SCAN), so it works on a Cluster too. Fails open: an
 * error is a miss on `get` and ignored on `set`.
 */
export function createRedisCompletions(client: Redis | Cluster, keyPrefix: string): CompletionStore {
  const redisKey = (key: string) => `${keyPrefix}cc:${key}`;
  return {
    async get(key) {
      try {
        return decodeCompletion(await client.get(redisKey(key)));
      } catch {
        return undefined;
      }
    },
    async set(key, completion, ttlMs) {
      try {
        await client.set(redisKey(key), JSON.stringify(completion), 'PX', ttlMs);
      } catch {
        // A cache that cannot write just misses next time.
      }
    },
  };
}
