import type { Stores } from '../store-types.js';
import { createMemoryBudgets } from './memory-budgets.js';
import { createMemoryKeys } from './memory-keys.js';
import { createMemoryLeases } from './memory-leases.js';
import { createMemoryRateLimits } from './memory-rate-limits.js';
import { createMemoryUsage } from './memory-usage.js';

export interface MemoryStoresOptions {
  /** Epoch milliseconds; injectable so tests can move time without waiting. */
  now?: () => number;
}

/**
 * Every store in this process's memory: right for a single replica and for
 * tests. State is lost on restart and not shared between replicas.
 */
export function createMemoryStores(options: MemoryStoresOptions = {}): Stores {
  const now = options.now ?? Date.now;
  return {
    backend: 'memory',
    rateLimits: createMemoryRateLimits(now),
    budgets: createMemoryBudgets(now),
    leases: createMemoryLeases(now),
    usage: createMemoryUsage(),
    keys: createMemoryKeys(),
    async ping() {
      return true;
    },
    async close() {
      // Nothing to release: the maps go with the process.
    },
  };
}
