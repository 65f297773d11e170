import type { Cluster, Redis } from 'ioredis';
import type { CacheConfig } from '../config/config-schema.js';
import type { FinishReason, TokenUsage, ToolCall } from '../providers/contract.js';
import type { GatewayChatRequest } from '../services/chat-types.js';

/** A complete answer as the cache keeps it: no error, no cut-off answer is ever stored. */
export interface CachedCompletion {
  id: string;
  model: string;
  provider: string;
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** What the original call used (a hit costs nothing; this is for reference). */
  usage: TokenUsage;
}

export interface CompletionCache {
  /**
   * The cache key for this request and caller, or undefined when it must not be
   * cached (the configured mode, the caller's `cache` flag, sampling settings).
   */
  keyFor(request: GatewayChatRequest, keyId: string): string | undefined;
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, completion: CachedCompletion): Promise<void>;
  /** Runs `load` once for concurrent callers of the same key; all of them get its result. */
  singleFlight<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface CompletionCacheDeps {
  config: CacheConfig['completions'];
  redis?: { client: Redis | Cluster; keyPrefix: string };
}

/** STUB: replaced by the completion cache implementation. Undefined when the mode is off. */
export function createCompletionCache(_deps: CompletionCacheDeps): CompletionCache | undefined {
  return undefined;
}
