import type { Target } from '../catalog.js';

/** What selection may know about a target's recent behaviour. */
export interface TargetStats {
  /** Requests to this target in flight right now. */
  inFlight: number;
  /** EWMA of latency (time to first token for streams, whole answer otherwise), ms; undefined before any sample. */
  latencyMs: number | undefined;
  /** When the last latency sample was taken (from `now()`), or undefined. */
  lastSampleAt: number | undefined;
}

export interface Candidate {
  target: Target;
  stats: TargetStats;
}

export interface SelectionContext {
  /** Uniform in [0, 1). Injected so tests are deterministic. */
  random: () => number;
  /** Milliseconds, monotonic. Injected. */
  now: () => number;
  /** Estimated prompt tokens of this request (for `cheapest`). */
  promptTokens: number;
  /** Expected completion tokens (maxTokens or a default) (for `cheapest`). */
  completionTokens: number;
}

/** Orders candidates: the first is tried first, the rest are the fallback order. Never drops a candidate. */
export type SelectionStrategy = (candidates: readonly Candidate[], context: SelectionContext) => Candidate[];
