import { toInteger } from '../store-order.js';
import type { BudgetStore } from '../store-types.js';

interface Entry {
  spentMicros: number;
  /** Epoch ms; set by the first write and kept, like PEXPIRE on a new Redis key. */
  expiresAt: number;
}

const SWEEP_EVERY_WRITES = 1_000;

/** Spend per period in one process, expiring like the Redis keys do. */
export function createMemoryBudgets(now: () => number): BudgetStore {
  const entries = new Map<string, Entry>();
  let writes = 0;

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function add(key: string, delta: number, ttlMs: number, at: number): number {
    const entry = live(key, at);
    if (entry) {
      entry.spentMicros += delta;
      return entry.spentMicros;
    }
    entries.set(key, { spentMicros: delta, expiresAt: at + ttlMs });
    // Periods end; without a sweep every past period would stay in memory.
    if (++writes % SWEEP_EVERY_WRITES === 0) {
      for (const [staleKey, stale] of entries) if (stale.expiresAt <= at) entries.delete(staleKey);
    }
    return delta;
  }

  return {
    async reserve(key, amountMicros, capMicros, ttlMs) {
      const at = now();
      const amount = toInteger(amountMicros);
      const current = live(key, at)?.spentMicros ?? 0;
      if (current + amount > capMicros) return { allowed: false, spentMicros: current };
      return { allowed: true, spentMicros: add(key, amount, ttlMs, at) };
    },

    async adjust(key, deltaMicros, ttlMs) {
      add(key, toInteger(deltaMicros), ttlMs, now());
    },

    async spent(key) {
      return live(key, now())?.spentMicros ?? 0;
    },
  };
}
