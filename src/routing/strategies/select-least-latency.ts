import type { Candidate, SelectionContext, SelectionStrategy } from './strategy-types.js';

export interface LeastLatencyOptions {
  /** Share of requests sent to a non-best target to keep its latency current. Default 0.1. */
  explorationRate?: number;
  /** A latency sample older than this is no longer trusted and its target is re-measured. Default 30 000 ms. */
  staleAfterMs?: number;
}

/** Unsampled first (they must be measured), then ascending latency. */
function byLatency(a: Candidate, b: Candidate): number {
  const la = a.stats.latencyMs;
  const lb = b.stats.latencyMs;
  if (la === undefined || lb === undefined) return (la === undefined ? 0 : 1) - (lb === undefined ? 0 : 1);
  return la - lb;
}

/**
 * `least-latency`: ascending EWMA latency, with exploration.
 *
 * Pure exploitation would starve every target but the best of samples, so a
 * target that was slow once (or recovered from an outage) would never be
 * picked again. Hence:
 * - targets with no sample go first, since nothing is known about them;
 * - when a non-front target's sample is older than `staleAfterMs`, the stalest
 *   such target is moved to the front so this request re-measures it — unless
 *   it already has a request in flight, which will bring a fresh sample, so a
 *   burst of traffic is not all sent to one unknown target at once;
 * - otherwise, with probability `explorationRate` (one `random()` draw), one
 *   non-best target chosen uniformly (a second draw) is moved to the front.
 * The rest keep latency order, so the best target stays the first fallback.
 * Ties keep the configured order (the sort is stable).
 */
export function createLeastLatency(options: LeastLatencyOptions = {}): SelectionStrategy {
  const explorationRate = options.explorationRate ?? 0.1;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  if (!(explorationRate >= 0 && explorationRate <= 1)) throw new RangeError(`explorationRate must be in [0, 1], got ${explorationRate}`);
  if (!(staleAfterMs >= 0)) throw new RangeError(`staleAfterMs must be >= 0, got ${staleAfterMs}`);

  return (candidates: readonly Candidate[], context: SelectionContext): Candidate[] => {
    const sorted = [...candidates].sort(byLatency);
    // An unsampled front target is itself the measurement this request makes; nothing to explore.
    if (sorted.length < 2 || (sorted[0] as Candidate).stats.latencyMs === undefined) return sorted;

    const now = context.now();
    let probe = -1;
    let oldest = Number.POSITIVE_INFINITY;
    // The front target is re-measured by this request anyway, so only the others can be stale probes.
    for (let i = 1; i < sorted.length; i++) {
      const { lastSampleAt, inFlight } = (sorted[i] as Candidate).stats;
      if (lastSampleAt === undefined || inFlight > 0 || now - lastSampleAt <= staleAfterMs) continue;
      if (lastSampleAt < oldest) {
        oldest = lastSampleAt;
        probe = i;
      }
    }
    // Skip the draw entirely at rate 0 so a non-exploring strategy consumes no randomness.
    if (probe < 0 && explorationRate > 0 && context.random() < explorationRate) {
      probe = 1 + Math.min(sorted.length - 2, Math.floor(context.random() * (sorted.length - 1)));
    }
    if (probe > 0) sorted.unshift(...sorted.splice(probe, 1));
    return sorted;
  };
}
