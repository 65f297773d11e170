import { gcraAdjust, gcraTake, outstandingMs } from '../gcra.js';
import type { LimitDecision, RateLimitStore } from '../store-types.js';

/** Full buckets are dropped lazily; a sweep every this many writes bounds the map. */
const SWEEP_EVERY_WRITES = 10_000;

/** TAT = stamp + debt (see ../gcra.ts for why it is split). */
interface Tat {
  stamp: number;
  debt: number;
}

/**
 * GCRA in one process. Operations run synchronously inside the promise, so
 * concurrent calls cannot interleave.
 */
export function createMemoryRateLimits(now: () => number): RateLimitStore {
  const tats = new Map<string, Tat>();
  let writes = 0;

  function outstanding(key: string, at: number): number {
    const tat = tats.get(key);
    return outstandingMs(tat?.stamp, tat?.debt ?? 0, at);
  }

  function store(key: string, debt: number, at: number): void {
    // No debt means a full bucket, the same as no entry (Redis lets the key expire).
    if (debt > 0) tats.set(key, { stamp: at, debt });
    else tats.delete(key);
    if (++writes % SWEEP_EVERY_WRITES === 0) {
      for (const [staleKey, stale] of tats) if (stale.stamp + stale.debt <= at) tats.delete(staleKey);
    }
  }

  return {
    async take(key, limit, windowMs, cost): Promise<LimitDecision> {
      const at = now();
      const decision = gcraTake(outstanding(key, at), limit, windowMs, cost);
      if (decision.allowed) store(key, decision.debt, at);
      return { allowed: decision.allowed, retryAfterMs: decision.retryAfterMs };
    },

    async adjust(key, limit, windowMs, delta): Promise<void> {
      const at = now();
      store(key, gcraAdjust(outstanding(key, at), limit, windowMs, delta), at);
    },
  };
}
