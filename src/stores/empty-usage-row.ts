import type { UsageRow } from './store-types.js';

/** A row with every counter at 0: what a counter never written (or written before it existed) reads as. */
export function emptyUsageRow(model: string, day: string): UsageRow {
  return { model, day, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedPromptTokens: 0, costMicros: 0 };
}
