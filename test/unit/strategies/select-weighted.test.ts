import { describe, expect, it } from 'vitest';
import { selectWeighted } from '../../../src/routing/strategies/select-weighted.js';
import { candidate, context, firstPickShares, ids, isPermutationOf, mulberry32 } from './strategy-helpers.js';

describe('selectWeighted', () => {
  it('sends ~75% of first picks to a 3:1 target', () => {
    const input = [candidate('a', { weight: 3 }), candidate('b', { weight: 1 })];
    const ctx = context({ random: mulberry32(42) });
    const shares = firstPickShares(2_000, () => selectWeighted(input, ctx));
    expect(shares.get('a')).toBeGreaterThanOrEqual(0.72);
    expect(shares.get('a')).toBeLessThanOrEqual(0.78);
  });

  it('matches 1:2:7 weights within ±0.03 over 10,000 draws', () => {
    const input = [candidate('a', { weight: 1 }), candidate('b', { weight: 2 }), candidate('c', { weight: 7 })];
    const ctx = context({ random: mulberry32(7) });
    const shares = firstPickShares(10_000, () => selectWeighted(input, ctx));
    expect(Math.abs((shares.get('a') ?? 0) - 0.1)).toBeLessThanOrEqual(0.03);
    expect(Math.abs((shares.get('b') ?? 0) - 0.2)).toBeLessThanOrEqual(0.03);
    expect(Math.abs((shares.get('c') ?? 0) - 0.7)).toBeLessThanOrEqual(0.03);
  });

  it('samples without replacement: the second pick is weighted among the rest', () => {
    // After c (weight 7) is drawn first, a:b should be 1:2 for the second slot.
    const input = [candidate('a', { weight: 1 }), candidate('b', { weight: 2 }), candidate('c', { weight: 7 })];
    const ctx = context({ random: mulberry32(99) });
    let bSecond = 0;
    let cFirst = 0;
    for (let i = 0; i < 10_000; i++) {
      const order = ids(selectWeighted(input, ctx));
      if (order[0] !== 'c') continue;
      cFirst++;
      if (order[1] === 'b') bSecond++;
    }
    expect(Math.abs(bSecond / cFirst - 2 / 3)).toBeLessThanOrEqual(0.03);
  });

  it('always returns a permutation of the input and leaves the input alone', () => {
    const input = [candidate('a', { weight: 0.5 }), candidate('b', { weight: 2 }), candidate('c', { weight: 1 }), candidate('d', { weight: 4 })];
    const ctx = context({ random: mulberry32(3) });
    for (let i = 0; i < 500; i++) {
      const result = selectWeighted(input, ctx);
      expect(result).not.toBe(input);
      expect(isPermutationOf(result, input)).toBe(true);
    }
    expect(ids(input)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('maps the draw onto cumulative weights exactly', () => {
    const input = [candidate('a', { weight: 3 }), candidate('b', { weight: 1 })];
    // 0.7499 * 4 lands in a's slice [0, 3); 0.75 * 4 is b's first point.
    expect(ids(selectWeighted(input, context({ random: () => 0.7499 })))).toEqual(['a', 'b']);
    expect(ids(selectWeighted(input, context({ random: () => 0.75 })))).toEqual(['b', 'a']);
  });

  it('handles zero and one candidate without drawing', () => {
    const random = () => {
      throw new Error('no draw expected');
    };
    expect(selectWeighted([], context({ random }))).toEqual([]);
    expect(ids(selectWeighted([candidate('a')], context({ random })))).toEqual(['a']);
  });
});
