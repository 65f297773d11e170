import type { RateLimitStore } from '../store-types.js';
import type { ScriptedClient } from './lua-scripts.js';

/**
 * GCRA on Redis: one EVALSHA per call (this is on every model request), the
 * TAT under `${prefix}rl:${key}` expiring when the bucket is full again.
 */
export function createRedisRateLimits(client: ScriptedClient, prefix: string): RateLimitStore {
  return {
    async take(key, limit, windowMs, cost) {
      const [allowed, retryAfterMs] = await client.switchboardRateTake(`${prefix}rl:${key}`, limit, windowMs, cost);
      return { allowed: allowed === 1, retryAfterMs };
    },

    async adjust(key, limit, windowMs, delta) {
      await client.switchboardRateAdjust(`${prefix}rl:${key}`, limit, windowMs, delta);
    },
  };
}
