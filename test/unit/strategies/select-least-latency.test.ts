import { describe, expect, it } from 'vitest';
import { createLeastLatency } from '../../../src/routing/strategies/select-least-latency.js';
import type { Candidate } from '../../../src/routing/strategies/strategy-types.js';
import { candidate, context, firstPickShares, ids, mulberry32 } from './strategy-helpers.js';

const fresh = (latencyMs: number) => ({ latencyMs, lastSampleAt: 0 });

describe('createLeastLatency', () => {
  const deterministic = createLeastLatency({ explorationRate: 0 });

  it('prefers the lower EWMA', () => {
    const input = [candidate('slow', { stats: fresh(300) }), candidate('fast', { stats: fresh(40) }), candidate('mid', { stats: fresh(120) })];
    expect(ids(deterministic(input, context()))).toEqual(['fast', 'mid', 'slow']);
  });

  it('puts unsampled targets first, in configured order, and does not explore past them', () => {
    const input = [candidate('a', { stats: fresh(10) }), candidate('new1'), candidate('b', { stats: fresh(5) }), candidate('new2')];
    expect(ids(deterministic(input, context()))).toEqual(['new1', 'new2', 'b', 'a']);
    // Even always-exploring leaves an unsampled front alone: this request is its measurement.
    expect(ids(createLeastLatency({ explorationRate: 1 })(input, context()))).toEqual(['new1', 'new2', 'b', 'a']);
  });

  it('breaks latency ties by configured order and is deterministic at rate 0 with fresh samples', () => {
    const input = [candidate('a', { stats: fresh(50) }), candidate('b', { stats: fresh(20) }), candidate('c', { stats: fresh(50) })];
    const random = () => {
      throw new Error('no draw expected at explorationRate 0');
    };
    for (let i = 0; i < 20; i++) expect(ids(deterministic(input, context({ random, now: () => 1_000 })))).toEqual(['b', 'a', 'c']);
  });

  it('moves the stalest non-best target to the front, ahead of exploration by chance', () => {
    const strategy = createLeastLatency({ explorationRate: 0, staleAfterMs: 30_000 });
    const input = [
      candidate('best', { stats: { latencyMs: 10, lastSampleAt: 59_000 } }),
      candidate('stale', { stats: { latencyMs: 500, lastSampleAt: 20_000 } }),
      candidate('staler', { stats: { latencyMs: 900, lastSampleAt: 5_000 } }),
      candidate('recent', { stats: { latencyMs: 100, lastSampleAt: 50_000 } }),
    ];
    expect(ids(strategy(input, context({ now: () => 60_000 })))).toEqual(['staler', 'best', 'recent', 'stale']);
    // At exactly staleAfterMs a sample still counts as fresh.
    expect(ids(strategy(input, context({ now: () => 35_000 })))).toEqual(['best', 'recent', 'stale', 'staler']);
  });

  it('does not probe a stale target that already has a request in flight', () => {
    const strategy = createLeastLatency({ explorationRate: 0 });
    const input = [
      candidate('best', { stats: { latencyMs: 10, lastSampleAt: 59_000 } }),
      candidate('probing', { stats: { latencyMs: 900, lastSampleAt: 0, inFlight: 1 } }),
    ];
    expect(ids(strategy(input, context({ now: () => 60_000 })))).toEqual(['best', 'probing']);
  });

  it('explores ~10% of requests at rate 0.1, uniformly among the non-best', () => {
    const strategy = createLeastLatency({ explorationRate: 0.1 });
    const input = [candidate('best', { stats: fresh(10) }), candidate('b', { stats: fresh(50) }), candidate('c', { stats: fresh(90) })];
    const ctx = context({ random: mulberry32(2024) });
    const shares = firstPickShares(10_000, () => strategy(input, ctx));
    const explored = 1 - (shares.get('best') ?? 0);
    expect(Math.abs(explored - 0.1)).toBeLessThanOrEqual(0.02);
    expect(Math.abs((shares.get('b') ?? 0) - 0.05)).toBeLessThanOrEqual(0.015);
    expect(Math.abs((shares.get('c') ?? 0) - 0.05)).toBeLessThanOrEqual(0.015);
  });

  it('keeps the best target as the first fallback when exploring', () => {
    const strategy = createLeastLatency({ explorationRate: 1 });
    const input = [candidate('best', { stats: fresh(10) }), candidate('b', { stats: fresh(50) }), candidate('c', { stats: fresh(90) })];
    expect(ids(strategy(input, context({ random: () => 0.99 })))).toEqual(['c', 'best', 'b']);
    expect(ids(strategy(input, context({ random: () => 0 })))).toEqual(['b', 'best', 'c']);
  });

  it('rejects out-of-range options', () => {
    expect(() => createLeastLatency({ explorationRate: 1.5 })).toThrow(RangeError);
    expect(() => createLeastLatency({ explorationRate: Number.NaN })).toThrow(RangeError);
    expect(() => createLeastLatency({ staleAfterMs: -1 })).toThrow(RangeError);
  });

  it('follows traffic as latencies move, and moves back when they flip', () => {
    const strategy = createLeastLatency();
    const alpha = 0.3;
    const input: Candidate[] = [candidate('a'), candidate('b')];
    const latency: Record<string, number> = { a: 100, b: 20 };
    let clock = 0;
    const ctx = context({ random: mulberry32(12345), now: () => clock });

    /** One request: select, then fold the chosen target's latency into its EWMA, as the engine would. */
    function request(): string {
      const chosen = strategy(input, ctx)[0] as Candidate;
      const id = chosen.target.model.id;
      const sample = latency[id] as number;
      const { latencyMs } = chosen.stats;
      chosen.stats.latencyMs = latencyMs === undefined ? sample : alpha * sample + (1 - alpha) * latencyMs;
      clock += 10;
      chosen.stats.lastSampleAt = clock;
      return id;
    }

    const firstPhase = Array.from({ length: 200 }, request);
    expect(firstPhase.slice(-100).filter((id) => id === 'b').length).toBeGreaterThanOrEqual(80);

    latency.a = 20;
    latency.b = 100;
    const secondPhase = Array.from({ length: 150 }, request);
    expect(secondPhase.slice(-50).filter((id) => id === 'a').length).toBeGreaterThanOrEqual(40);
  });
});
