import { describe, expect, it } from 'vitest';
import { estimateCost, selectCheapest } from '../../../src/routing/strategies/select-cheapest.js';
import { candidate, context, ids } from './strategy-helpers.js';

// Cheap to read, dear to write, and the reverse.
const readHeavy = candidate('read-cheap', { pricing: { input: 0.1, output: 10 } });
const writeHeavy = candidate('write-cheap', { pricing: { input: 3, output: 1 } });

describe('selectCheapest', () => {
  it('estimates USD cost from per-million pricing', () => {
    expect(estimateCost(writeHeavy, context({ promptTokens: 1_000_000, completionTokens: 500_000 }))).toBeCloseTo(3.5, 10);
    expect(estimateCost(candidate('free'), context({ promptTokens: 10 }))).toBeUndefined();
  });

  it('orders by estimated cost for this request’s tokens', () => {
    // Long prompt, short answer: 10,000 × 0.1 + 100 × 10 = 2,000 vs 10,000 × 3 + 100 × 1 = 30,100 (µUSD).
    expect(ids(selectCheapest([writeHeavy, readHeavy], context({ promptTokens: 10_000, completionTokens: 100 })))).toEqual([
      'read-cheap',
      'write-cheap',
    ]);
    // Large completion: 100 × 0.1 + 4,000 × 10 = 40,010 vs 100 × 3 + 4,000 × 1 = 4,300 — cheap input no longer wins.
    expect(ids(selectCheapest([readHeavy, writeHeavy], context({ promptTokens: 100, completionTokens: 4_000 })))).toEqual([
      'write-cheap',
      'read-cheap',
    ]);
  });

  it('puts unpriced targets last, in configured order', () => {
    const input = [candidate('unpriced-1'), readHeavy, candidate('unpriced-2'), writeHeavy];
    expect(ids(selectCheapest(input, context({ promptTokens: 100, completionTokens: 4_000 })))).toEqual([
      'write-cheap',
      'read-cheap',
      'unpriced-1',
      'unpriced-2',
    ]);
  });

  it('breaks cost ties by configured order and returns a new array', () => {
    const input = [candidate('x', { pricing: { input: 1, output: 1 } }), candidate('y', { pricing: { input: 1, output: 1 } }), candidate('free', { pricing: { input: 0, output: 0 } })];
    const result = selectCheapest(input, context({ promptTokens: 50, completionTokens: 50 }));
    expect(ids(result)).toEqual(['free', 'x', 'y']);
    expect(result).not.toBe(input);
  });
});
