import { pickWeightedIndex } from './select-weighted.js';
import type { Candidate, SelectionContext, SelectionStrategy } from './strategy-types.js';

/**
 * `least-busy`: ascending number of requests in flight.
 *
 * In-flight counts tie constantly (most often at 0 under light load), and
 * breaking those ties by configured order would pile every idle moment onto
 * the first target. So within each tie group one candidate is drawn by weight
 * (one `random()` draw) to go first, and the rest of the group follows in
 * configured order — the group's first slot is what receives the traffic.
 */
export const selectLeastBusy: SelectionStrategy = (candidates: readonly Candidate[], context: SelectionContext): Candidate[] => {
  // Array.prototype.sort is stable, so equal counts keep the configured order.
  const sorted = [...candidates].sort((a, b) => a.stats.inFlight - b.stats.inFlight);
  const ordered: Candidate[] = [];
  let start = 0;
  while (start < sorted.length) {
    const inFlight = (sorted[start] as Candidate).stats.inFlight;
    let end = start + 1;
    while (end < sorted.length && (sorted[end] as Candidate).stats.inFlight === inFlight) end++;
    const group = sorted.slice(start, end);
    if (group.length > 1) {
      // Draw only for real ties, so an untied order costs no randomness and stays deterministic.
      const [first] = group.splice(pickWeightedIndex(group, context.random), 1);
      ordered.push(first as Candidate);
    }
    ordered.push(...group);
    start = end;
  }
  return ordered;
};
