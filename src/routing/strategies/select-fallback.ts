import type { Candidate, SelectionStrategy } from './strategy-types.js';

/**
 * `fallback`: try the targets in the order the route lists them.
 *
 * Returns a copy so the engine may reorder or splice the result without
 * touching the catalog's cached target list.
 */
export const selectFallback: SelectionStrategy = (candidates: readonly Candidate[]): Candidate[] => [...candidates];
