import type { LimitDecision } from './store-types.js';

/**
 * The GCRA rules shared by both rate-limit stores. The memory store calls these
 * functions; the Lua scripts in `redis/lua-scripts.ts` spell out the same
 * arithmetic so both backends decide identically.
 *
 * The TAT (theoretical arrival time) is kept as `stamp + debt`: the time of the
 * last write plus the milliseconds it was ahead of that time. Mathematically it
 * is the plain TAT of the textbook rules; numerically it is not. An absolute
 * epoch TAT (~1.7e12 ms) rounds every addition to ~2.4e-4 ms, which over a
 * burst of thousands at a high rate drifts by more than one emission interval
 * and refuses requests that fit. `debt` stays within one window, where a double
 * is exact to ~1e-11 ms, and `now - stamp` is an exact subtraction.
 */

/**
 * Slack, as a fraction of one emission interval, when testing whether a take
 * fits: absorbs the remaining ~1e-11 ms rounding (so a burst of exactly `limit`
 * with a non-binary interval such as 60 s / 7 fits) yet never admits a unit.
 */
export const GCRA_TOLERANCE = 1e-3;

/** `max(TAT - now, 0)`: how far ahead of now the stored TAT is, in ms. */
export function outstandingMs(stamp: number | undefined, debt: number, now: number): number {
  return stamp === undefined ? 0 : Math.max(debt - (now - stamp), 0);
}

/** A take's decision plus the new debt (TAT - now) to store when allowed. */
export interface GcraTake extends LimitDecision {
  debt: number;
}

/**
 * Takes `cost` units: `newTat = max(TAT, now) + cost * T`, allowed iff
 * `newTat - windowMs <= now`, refused ones wait until that holds.
 */
export function gcraTake(outstanding: number, limit: number, windowMs: number, cost: number): GcraTake {
  const interval = windowMs / limit;
  const debt = outstanding + cost * interval;
  const excess = debt - windowMs;
  if (excess <= interval * GCRA_TOLERANCE) return { allowed: true, retryAfterMs: 0, debt };
  return { allowed: false, retryAfterMs: Math.ceil(excess), debt };
}

/** Shifts the TAT by `delta` units without refusing; a debt <= 0 means a full bucket (delete). */
export function gcraAdjust(outstanding: number, limit: number, windowMs: number, delta: number): number {
  return outstanding + delta * (windowMs / limit);
}
