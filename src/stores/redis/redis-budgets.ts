import type { Redis, Cluster } from 'ioredis';
import { toInteger } from '../store-order.js';
import type { BudgetStore } from '../store-types.js';
import type { ScriptedClient } from './lua-scripts.js';

/** PEXPIRE takes a positive integer; anything else would delete the key or fail. */
function ttl(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}

/**
 * Spend per period as an integer counter under `${prefix}budget:${key}`. The
 * TTL is set by the first write only, so the period ends when it started + ttl.
 */
export function createRedisBudgets(client: Redis | Cluster, scripts: ScriptedClient, prefix: string): BudgetStore {
  return {
    async reserve(key, amountMicros, capMicros, ttlMs) {
      const [allowed, spentMicros] = await scripts.switchboardBudgetReserve(`${prefix}budget:${key}`, toInteger(amountMicros), capMicros, ttl(ttlMs));
      return { allowed: allowed === 1, spentMicros };
    },

    async adjust(key, deltaMicros, ttlMs) {
      await scripts.switchboardBudgetAdjust(`${prefix}budget:${key}`, toInteger(deltaMicros), ttl(ttlMs));
    },

    async spent(key) {
      const value = await client.get(`${prefix}budget:${key}`);
      return value === null ? 0 : Number(value);
    },
  };
}
