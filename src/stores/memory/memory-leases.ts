import type { LeaseStore } from '../store-types.js';

/** Concurrency leases in one process: key → holder → expiry (epoch ms). */
export function createMemoryLeases(now: () => number): LeaseStore {
  const byKey = new Map<string, Map<string, number>>();

  /** The key's live leases, with expired ones dropped (and the key, once empty). */
  function live(key: string): Map<string, number> | undefined {
    const holders = byKey.get(key);
    if (!holders) return undefined;
    const time = now();
    for (const [holder, expiresAt] of holders) if (expiresAt <= time) holders.delete(holder);
    if (holders.size === 0) byKey.delete(key);
    return holders.size === 0 ? undefined : holders;
  }

  return {
    async acquire(key, holder, limit, ttlMs) {
      let holders = live(key);
      if (holders?.has(holder)) return true;
      if ((holders?.size ?? 0) >= limit) return false;
      if (!holders) byKey.set(key, (holders = new Map()));
      holders.set(holder, now() + ttlMs);
      return true;
    },
    async refresh(key, holder, ttlMs) {
      const holders = live(key);
      if (holders?.has(holder)) holders.set(holder, now() + ttlMs);
    },
    async release(key, holder) {
      const holders = byKey.get(key);
      holders?.delete(holder);
      if (holders?.size === 0) byKey.delete(key);
    },
  };
}
