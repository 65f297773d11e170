import type { Cluster, Redis } from 'ioredis';
import type { CacheConfig } from '../config/config-schema.js';
import type { FinishReason, ReasoningTrace, TokenUsage, ToolCall } from '../providers/contract.js';
import type { GatewayChatRequest } from '../services/chat-types.js';
import { completionKey } from './completion-key.js';

/** A complete answer as the cache keeps it: no error, no cut-off answer is ever stored. */
export interface CachedCompletion {
  id: string;
  model: string;
  provider: string;
  content: string | null;
  toolCalls: ToolCall[];
  /** The reasoning of the original answer, replayed with it; null or absent when it had none. */
  reasoning?: ReasoningTrace | null;
  finishReason: FinishReason;
  /** What the original call used (a hit costs nothing; this is for reference). */
  usage: TokenUsage;
}

export interface CompletionCache {
  /**
   * The cache key for this request and caller, or undefined when it must not be
   * cached (the configured mode, the caller's `cache` flag, sampling settings).
   */
  keyFor(request: GatewayChatRequest, subject: string): string | undefined;
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, completion: CachedCompletion): Promise<void>;
  /** Runs `load` once for concurrent callers of the same key; all of them get its result. */
  singleFlight<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface CompletionCacheDeps {
  config: CacheConfig['completions'];
  redis?: { client: Redis | Cluster; keyPrefix: string };
}

/** Only complete answers are kept: a cut-off or filtered answer is never replayed. */
const STORABLE: ReadonlySet<FinishReason> = new Set<FinishReason>(['stop', 'tool_calls']);

interface CompletionStore {
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, completion: CachedCompletion, ttlMs: number): Promise<void>;
}

/** A stored value read back: anything that is not a complete answer is a miss. */
function decode(text: string | null | undefined): CachedCompletion | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value = JSON.parse(text) as CachedCompletion | null;
    if (value === null || typeof value !== 'object' || !STORABLE.has(value.finishReason)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/**
 * An LRU with TTLs: a Map in insertion order (a hit moves its entry to the end),
 * the oldest entries evicted beyond `maxEntries`, expired entries dropped on read.
 * Values are kept as JSON, so callers never share (or mutate) a stored object.
 */
function memoryStore(maxEntries: number): CompletionStore {
  const entries = new Map<string, { json: string; expiresAt: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= Date.now()) return undefined;
      entries.set(key, entry);
      return decode(entry.json);
    },
    async set(key, completion, ttlMs) {
      entries.delete(key);
      entries.set(key, { json: JSON.stringify(completion), expiresAt: Date.now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
  };
}

/**
 * `${keyPrefix}cc:${key}`, a JSON value with a PX expiry; single-key commands only
 * (no KEYS/SCAN), so it works on a Cluster too. Fails open: an error is a miss on
 * `get` and ignored on `set`.
 */
function redisStore(client: Redis | Cluster, keyPrefix: string): CompletionStore {
  const redisKey = (key: string) => `${keyPrefix}cc:${key}`;
  return {
    async get(key) {
      try {
        return decode(await client.get(redisKey(key)));
      } catch {
        return undefined;
      }
    },
    async set(key, completion, ttlMs) {
      try {
        await client.set(redisKey(key), JSON.stringify(completion), 'PX', ttlMs);
      } catch {
        // A cache that cannot write just misses next time.
      }
    },
  };
}

/** The configured mode and the caller's flag: may this request use the cache? */
function wantsCache(mode: CacheConfig['completions']['mode'], request: GatewayChatRequest): boolean {
  const flag = (request as { cache?: boolean }).cache;
  if (mode === 'off' || flag === false) return false;
  if (mode === 'always') return true;
  return flag === true || request.temperature === 0;
}

/** The completion cache, in Redis when given, else in memory. Undefined when the mode is off. */
export function createCompletionCache(deps: CompletionCacheDeps): CompletionCache | undefined {
  const { config } = deps;
  if (config.mode === 'off') return undefined;
  const ttlMs = config.ttlSeconds * 1_000;
  const store = deps.redis ? redisStore(deps.redis.client, deps.redis.keyPrefix) : memoryStore(config.maxEntries);
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
      if (!STORABLE.has(completion.finishReason)) return;
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
