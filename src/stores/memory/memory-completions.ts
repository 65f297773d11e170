import { decodeCompletion, type CompletionStore } from '../completion-store.js';

export interface MemoryCompletionsBounds {
  maxEntries: number;
  /** The stored JSON's total length (characters); an entry longer than this alone is not kept. */
  maxBytes: number;
}

/**
 * Cached completions in one process: an LRU with TTLs. A Map in insertion order (a hit moves its
 * entry to the end), the oldest entries evicted beyond `maxEntries` or `maxBytes`, expired entries
 * dropped on read.
 */
export function createMemoryCompletions(bounds: MemoryCompletionsBounds, now: () => number = Date.now): CompletionStore {
  const entries = new Map<string, { json: string; expiresAt: number }>();
  let size = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    size -= entry.json.length;
    return entry;
  };
  return {
    async get(key) {
      const entry = remove(key);
      if (!entry || entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      size += entry.json.length;
      return decodeCompletion(entry.json);
    },
    async set(key, completion, ttlMs) {
      remove(key);
      const json = JSON.stringify(completion);
      if (json.length > bounds.maxBytes) return;
      entries.set(key, { json, expiresAt: now() + ttlMs });
      size += json.length;
      while (entries.size > bounds.maxEntries || size > bounds.maxBytes) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        remove(oldest.value);
      }
    },
  };
}
