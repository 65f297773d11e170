import { describe, expect, it } from 'vitest';
import { selectFallback } from '../../../src/routing/strategies/select-fallback.js';
import { candidate, context, ids } from './strategy-helpers.js';

describe('selectFallback', () => {
  it('keeps the configured order', () => {
    const input = [candidate('a'), candidate('b', { stats: { inFlight: 9, latencyMs: 1 } }), candidate('c')];
    expect(ids(selectFallback(input, context()))).toEqual(['a', 'b', 'c']);
  });

  it('returns a new array, so the engine may mutate it without touching the input', () => {
    const input = [candidate('a'), candidate('b')];
    const result = selectFallback(input, context());
    expect(result).not.toBe(input);
    result.reverse();
    expect(ids(input)).toEqual(['a', 'b']);
  });

  it('handles an empty list', () => {
    expect(selectFallback([], context())).toEqual([]);
  });
});
