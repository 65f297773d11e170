/** How a metered completion ended. */
export const USAGE_OUTCOMES = ['success', 'failed', 'cancelled'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

/** One completion's usage, recorded once, whatever its outcome. */
export interface UsageRecord {
  model: string;
  provider: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  outcome: UsageOutcome;
  /** True when the upstream reported nothing and the gateway estimated. */
  estimated: boolean;
}

export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/**
 * Where usage goes. In memory per model for now; keys, budgets and Redis-backed
 * counters plug in behind this interface.
 */
export interface UsageMeter {
  record(usage: UsageRecord): void;
  /** Totals per model id, and overall under "*". */
  totals(): ReadonlyMap<string, Readonly<UsageTotals>>;
}

export function createUsageMeter(): UsageMeter {
  const totals = new Map<string, UsageTotals>();
  function add(key: string, usage: UsageRecord) {
    let entry = totals.get(key);
    if (!entry) totals.set(key, (entry = { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 }));
    entry.requests++;
    entry.promptTokens += usage.promptTokens;
    entry.completionTokens += usage.completionTokens;
    entry.costUsd += usage.costUsd ?? 0;
  }
  return {
    record(usage) {
      add(usage.model, usage);
      add('*', usage);
    },
    totals: () => totals,
  };
}
