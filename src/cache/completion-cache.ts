import type { Cluster, Redis } from 'ioredis';
import type { CacheConfig } from '../config/config-schema.js';
import type { ChatRequest } from '../providers/contract.js';
import { isStorableCompletion, type CachedCompletion, type CompletionStore } from '../stores/completion-store.js';
import { createMemoryCompletions } from '../stores/memory/memory-completions.js';
import { createRedisCompletions } from '../stores/redis/redis-completions.js';
import { completionKey } from './completion-key.js';

/** A chat request with the caller's cache flag: true = use the cache, false = bypass it, undefined = the configured mode. */
export type CacheableRequest = ChatRequest & { cache?: boolean };

export interface CompletionCache {
  /**
   * The cache key for this request and caller, or undefined when it must not be
   * cached (the configured mode, the caller's `cache` flag, sampling settings).
   */
  keyFor(request: CacheableRequest, subject: string): string | undefined;
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, completion: CachedCompletion): Promise<void>;
  /** Runs `load` once for concurrent callers of the same key; all of them get its result. */
  singleFlight<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface CompletionCacheDeps {
  config: CacheConfig['completions'];
  redis?: { client: Redis | Cluster; keyPrefix: string };
}

/** The configured mode and the caller's flag: may this request use the cache? */
function wantsCache(mode: CacheConfig['completions']['mode'], request: CacheableRequest): boolean {
  const flag = request.cache;
  if (mode === 'off' || flag === false) return false;
  if (mode === 'always') return true;
  return flag === true || request.temperature === 0;
}

/**
 * The completion cache: which requests may use it and under which key, and single-flight for
 * concurrent misses; the entries are in the Redis store when given, else in memory (src/stores/).
 * Undefined when the mode is off.
 */
export function createCompletionCache(deps: CompletionCacheDeps): CompletionCache | undefined {
  const { config } = deps;
  if (config.mode === 'off') return undefined;
  const ttlMs = config.ttlSeconds * 1_000;
  const store: CompletionStore = deps.redis ? createRedisCompletions(deps.redis.client, deps.redis.keyPrefix) : createMemoryCompletions({ maxEntries: config.maxEntries, maxBytes: config.maxBytes });
  const inFlight = new Map<string, Promise<unknown>>();

  return {
    keyFor(request, subject) {
      if (!wantsCache(config.mode, request)) return undefined;
      return completionKey(request, config.scope === 'global' ? '*' : subject);
    },
    get(key) {
      return store.get(key);
    },
    async set(key, completion) {
      if (!isStorableCompletion(completion)) return;
      await store.set(key, completion, ttlMs);
    },
    singleFlight<T>(key: string, load: () => Promise<T>): Promise<T> {
      const running = inFlight.get(key);
      if (running) return running as Promise<T>;
      // new Promise: a synchronous throw in `load` rejects like an async one.
      const promise = new Promise<T>((resolve) => resolve(load()));
      inFlight.set(key, promise);
      // Registered before any caller awaits, so the entry is gone when they resume.
      const settle = () => {
        if (inFlight.get(key) === promise) inFlight.delete(key);
      };
      promise.then(settle, settle);
      return promise;
    },
  };
}
