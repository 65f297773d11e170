import { describe, expect, it } from 'vitest';
import { selectLeastBusy } from '../../../src/routing/strategies/select-least-busy.js';
import { candidate, context, firstPickShares, ids, isPermutationOf, mulberry32 } from './strategy-helpers.js';

const busy = (inFlight: number, weight = 1) => ({ weight, stats: { inFlight } });

describe('selectLeastBusy', () => {
  it('orders by ascending in-flight count', () => {
    const input = [candidate('a', busy(5)), candidate('b', busy(0)), candidate('c', busy(2))];
    expect(ids(selectLeastBusy(input, context()))).toEqual(['b', 'c', 'a']);
  });

  it('draws no randomness when nothing ties', () => {
    const random = () => {
      throw new Error('no draw expected');
    };
    const input = [candidate('a', busy(3)), candidate('b', busy(1))];
    expect(ids(selectLeastBusy(input, context({ random })))).toEqual(['b', 'a']);
  });

  it('splits ties by weight', () => {
    const input = [candidate('a', busy(0, 1)), candidate('b', busy(0, 3)), candidate('c', busy(4, 100))];
    const ctx = context({ random: mulberry32(5) });
    const shares = firstPickShares(10_000, () => selectLeastBusy(input, ctx));
    expect(Math.abs((shares.get('a') ?? 0) - 0.25)).toBeLessThanOrEqual(0.03);
    expect(Math.abs((shares.get('b') ?? 0) - 0.75)).toBeLessThanOrEqual(0.03);
    // The busier target never wins, however heavy its weight.
    expect(shares.get('c')).toBeUndefined();
  });

  it('keeps configured order for the rest of a tie group, and never drops a candidate', () => {
    const input = [candidate('a', busy(1)), candidate('b', busy(1)), candidate('c', busy(1)), candidate('d', busy(0))];
    // A draw of 0.5 over weights 1:1:1 lands in b's slice; a and c follow in configured order.
    expect(ids(selectLeastBusy(input, context({ random: () => 0.5 })))).toEqual(['d', 'b', 'a', 'c']);
    const ctx = context({ random: mulberry32(8) });
    for (let i = 0; i < 200; i++) expect(isPermutationOf(selectLeastBusy(input, ctx), input)).toBe(true);
  });
});
