import type { LeaseStore } from '../store-types.js';
import type { ScriptedClient } from './lua-scripts.js';

/**
 * Concurrency leases on Redis: one sorted set per key, `${prefix}lease:${key}`,
 * holder → expiry in server milliseconds. Acquiring drops expired holders and
 * counts the rest in one script, so replicas never over-admit; the set expires
 * with its last lease.
 */
export function createRedisLeases(client: ScriptedClient, prefix: string): LeaseStore {
  return {
    async acquire(key, holder, limit, ttlMs) {
      return (await client.switchboardLeaseAcquire(`${prefix}lease:${key}`, holder, ttlMs, limit)) === 1;
    },
    async refresh(key, holder, ttlMs) {
      await client.switchboardLeaseRefresh(`${prefix}lease:${key}`, holder, ttlMs);
    },
    async release(key, holder) {
      await client.switchboardLeaseRelease(`${prefix}lease:${key}`, holder);
    },
  };
}
