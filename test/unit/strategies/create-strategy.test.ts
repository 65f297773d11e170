import { describe, expect, it } from 'vitest';
import { createStrategy, STRATEGY_NAMES, selectCheapest, selectFallback, selectLeastBusy, selectWeighted } from '../../../src/routing/strategies/index.js';
import { candidate, context, ids, isPermutationOf, mulberry32 } from './strategy-helpers.js';

describe('createStrategy', () => {
  it('maps each name to its strategy', () => {
    expect(createStrategy('fallback')).toBe(selectFallback);
    expect(createStrategy('weighted')).toBe(selectWeighted);
    expect(createStrategy('least-busy')).toBe(selectLeastBusy);
    expect(createStrategy('cheapest')).toBe(selectCheapest);
    // least-latency is built from its default options.
    const input = [candidate('slow', { stats: { latencyMs: 90, lastSampleAt: 0 } }), candidate('fast', { stats: { latencyMs: 10, lastSampleAt: 0 } })];
    expect(ids(createStrategy('least-latency')(input, context({ random: () => 0.5 })))).toEqual(['fast', 'slow']);
  });

  it('every strategy returns a permutation of its input', () => {
    const input = [
      candidate('a', { weight: 2, pricing: { input: 1, output: 2 }, stats: { inFlight: 1, latencyMs: 30, lastSampleAt: 0 } }),
      candidate('b', { stats: { inFlight: 0 } }),
      candidate('c', { weight: 5, pricing: { input: 0.5, output: 4 }, stats: { inFlight: 1, latencyMs: 10, lastSampleAt: 0 } }),
    ];
    const ctx = context({ random: mulberry32(11), promptTokens: 200, completionTokens: 300 });
    for (const name of STRATEGY_NAMES) {
      const strategy = createStrategy(name);
      for (let i = 0; i < 50; i++) expect(isPermutationOf(strategy(input, ctx), input), name).toBe(true);
    }
  });
});
