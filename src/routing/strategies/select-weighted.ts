import type { Candidate, SelectionContext, SelectionStrategy } from './strategy-types.js';

/**
 * Picks one index of `pool` with probability proportional to its target's weight,
 * using a single `random()` draw. Shared with `least-busy`, which splits ties by weight.
 */
export function pickWeightedIndex(pool: readonly Candidate[], random: () => number): number {
  let total = 0;
  for (const candidate of pool) total += candidate.target.weight;
  // Walk the cumulative weights: the draw lands in candidate i's slice with probability weight_i / total.
  const point = random() * total;
  let cumulative = 0;
  for (let i = 0; i < pool.length; i++) {
    cumulative += (pool[i] as Candidate).target.weight;
    if (point < cumulative) return i;
  }
  // Only reachable through floating-point rounding (point ≈ total): the last slice owns the edge.
  return pool.length - 1;
}

/**
 * `weighted`: weighted random sampling without replacement by `target.weight`.
 *
 * The first candidate is drawn with probability weight / Σweights, the second
 * likewise among those left, and so on, so the traffic share of the first
 * pick matches the configured weights exactly while the fallback order is
 * still a full, weight-biased permutation. O(n²), and n is a route's target
 * count, so that is cheaper than anything cleverer.
 */
export const selectWeighted: SelectionStrategy = (candidates: readonly Candidate[], context: SelectionContext): Candidate[] => {
  const pool = [...candidates];
  const ordered: Candidate[] = [];
  while (pool.length > 1) {
    const [picked] = pool.splice(pickWeightedIndex(pool, context.random), 1);
    ordered.push(picked as Candidate);
  }
  // The last one needs no draw: there is nothing left to choose between.
  ordered.push(...pool);
  return ordered;
};
