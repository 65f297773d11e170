import { selectCheapest } from './select-cheapest.js';
import { selectFallback } from './select-fallback.js';
import { createLeastLatency } from './select-least-latency.js';
import { selectLeastBusy } from './select-least-busy.js';
import { selectWeighted } from './select-weighted.js';
import type { SelectionStrategy } from './strategy-types.js';

export type { Candidate, SelectionContext, SelectionStrategy, TargetStats } from './strategy-types.js';
export { selectCheapest, estimateCost } from './select-cheapest.js';
export { selectFallback } from './select-fallback.js';
export { createLeastLatency, type LeastLatencyOptions } from './select-least-latency.js';
export { selectLeastBusy } from './select-least-busy.js';
export { selectWeighted } from './select-weighted.js';

/** The strategy names a route may configure. */
export const STRATEGY_NAMES = ['fallback', 'weighted', 'least-latency', 'least-busy', 'cheapest'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * The selection strategy for a route's configured `strategy` name, with default options.
 * Strategies are stateless (all state arrives in `Candidate.stats`), so one instance may serve many routes.
 */
export function createStrategy(name: StrategyName): SelectionStrategy {
  switch (name) {
    case 'fallback':
      return selectFallback;
    case 'weighted':
      return selectWeighted;
    case 'least-latency':
      return createLeastLatency();
    case 'least-busy':
      return selectLeastBusy;
    case 'cheapest':
      return selectCheapest;
    default: {
      // Exhaustiveness: a new name in STRATEGY_NAMES without a case here fails to compile.
      const unknown: never = name;
      throw new Error(`unknown selection strategy "${String(unknown)}"`);
    }
  }
}
