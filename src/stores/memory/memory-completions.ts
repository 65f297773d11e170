import { decodeCompletion, type CompletionStore } from '../completion-store.js';

/**
 * Cached completions in one process: an LRU with TTLs. A Map in insertion order (a hit moves its
 * entry to the end), the oldest entries evicted beyond `maxEntries`, expired entries dropped on read.
 */
export function createMemoryCompletions(maxEntries: number, now: () => number = Date.now): CompletionStore {
  const entries = new Map<string, { json: string; expiresAt: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      return decodeCompletion(entry.json);
    },
    async set(key, completion, ttlMs) {
      entries.delete(key);
      entries.set(key, { json: JSON.stringify(completion), expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
  };
}
