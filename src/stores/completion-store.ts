import type { FinishReason, ReasoningTrace, TokenUsage, ToolCall } from '../providers/contract.js';

/** A complete answer as the completion cache keeps it: no error, no cut-off answer is ever stored. */
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

/**
 * Where cached completions live: one process (memory) or every replica (Redis). Both keep JSON,
 * so a caller never shares (or mutates) a stored object, and both read anything that is not a
 * complete answer as a miss.
 */
export interface CompletionStore {
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, completion: CachedCompletion, ttlMs: number): Promise<void>;
}

/** Only complete answers are kept: a cut-off or filtered answer is never replayed. */
const STORABLE: ReadonlySet<FinishReason> = new Set<FinishReason>(['stop', 'tool_calls']);

/** True for an answer that may be stored and replayed. */
export function isStorableCompletion(completion: Pick<CachedCompletion, 'finishReason'>): boolean {
  return STORABLE.has(completion.finishReason);
}

/** A stored value read back: anything that is not a complete answer is a miss. */
export function decodeCompletion(text: string | null | undefined): CachedCompletion | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value = JSON.parse(text) as CachedCompletion | null;
    if (value === null || typeof value !== 'object' || !isStorableCompletion(value)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}
