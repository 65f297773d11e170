import type { StoredApiKey, UsageRow } from './store-types.js';

/**
 * Result orders both backends share, so callers (and the contract suite) see
 * the same sequence whatever the backend: Redis hashes have no stable order.
 */

/** Usage rows: by the caller's day order, then by model id. */
export function sortUsageRows(rows: UsageRow[], days: readonly string[]): UsageRow[] {
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  return rows.sort((a, b) => (dayIndex.get(a.day) ?? 0) - (dayIndex.get(b.day) ?? 0) || compareStrings(a.model, b.model));
}

/** Keys: oldest first, ties by id. */
export function sortKeys(keys: StoredApiKey[]): StoredApiKey[] {
  return keys.sort((a, b) => compareStrings(a.createdAt, b.createdAt) || compareStrings(a.id, b.id));
}

/** Days the caller asked for, each once (a repeated day would duplicate its rows). */
export function uniqueDays(days: readonly string[]): string[] {
  return [...new Set(days)];
}

/** Code-unit order, not locale order: identical on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Micro-USD and token counts must be integers (Redis INCRBY/HINCRBY reject
 * anything else); both backends round the same way so their sums agree.
 */
export function toInteger(value: number): number {
  return Math.round(value);
}
