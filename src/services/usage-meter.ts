import { randomUUID } from 'node:crypto';
import type { UsageIncrement, UsageStore } from '../stores/store-types.js';

/** How a metered completion ended. */
export const USAGE_OUTCOMES = ['success', 'failed', 'cancelled'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

/** One completion's usage, recorded once, whatever its outcome. */
export interface UsageRecord {
  /** Who called, as users know it (key id, JWT subject, or "anonymous"). */
  keyId: string;
  /** What it is counted against: `key:<id>`, `jwt:<subject>` or `anon` (Principal.subject). */
  subject: string;
  model: string;
  provider: string;
  promptTokens: number;
  completionTokens: number;
  /** Part of completionTokens spent reasoning (chat only). */
  reasoningTokens?: number;
  /** Part of promptTokens read from the provider's prompt cache (chat only). */
  cachedPromptTokens?: number;
  costUsd: number | null;
  outcome: UsageOutcome;
  /** True when the upstream reported nothing and the gateway estimated. */
  estimated: boolean;
}

export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedPromptTokens: number;
  costUsd: number;
}

export interface UsageMeter {
  record(usage: UsageRecord): void;
  /** This process's totals per model id, and overall under "*" (the store holds the shared ones). */
  totals(): ReadonlyMap<string, Readonly<UsageTotals>>;
  /** Resolves once every recorded increment reached the store (or failed to, and is queued). */
  flush(): Promise<void>;
}

const MAX_PENDING = 100_000;
const RETRY_MS = 1_000;

/**
 * Records usage into the store per key, model and UTC day. A write that fails
 * (Redis away) is queued and retried, so an outage delays counters but loses
 * nothing short of a process crash.
 */
export function createUsageMeter(deps: { store: UsageStore; onError: (error: unknown) => void; now?: () => Date }): UsageMeter {
  const totals = new Map<string, UsageTotals>();
  const now = deps.now ?? (() => new Date());
  const pending: UsageIncrement[] = [];
  const inFlight = new Set<Promise<void>>();
  let retryTimer: NodeJS.Timeout | undefined;
  let failing = false;

  function addTotal(key: string, usage: UsageRecord) {
    let entry = totals.get(key);
    if (!entry) totals.set(key, (entry = { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedPromptTokens: 0, costUsd: 0 }));
    entry.requests++;
    entry.promptTokens += usage.promptTokens;
    entry.completionTokens += usage.completionTokens;
    entry.reasoningTokens += usage.reasoningTokens ?? 0;
    entry.cachedPromptTokens += usage.cachedPromptTokens ?? 0;
    entry.costUsd += usage.costUsd ?? 0;
  }

  function write(increment: UsageIncrement): void {
    const attempt = deps.store.add(increment).then(
      () => {
        if (failing) {
          failing = false;
          drain();
        }
      },
      (error: unknown) => {
        if (!failing) deps.onError(error);
        failing = true;
        if (pending.length < MAX_PENDING) pending.push(increment);
        retryTimer ??= setTimeout(() => {
          retryTimer = undefined;
          drain();
        }, RETRY_MS).unref();
      },
    );
    inFlight.add(attempt);
    void attempt.finally(() => inFlight.delete(attempt));
  }

  function drain(): void {
    for (const increment of pending.splice(0)) write(increment);
  }

  return {
    record(usage) {
      addTotal(usage.model, usage);
      addTotal('*', usage);
      write({
        id: randomUUID(),
        keyId: usage.keyId,
        subject: usage.subject,
        model: usage.model,
        day: now().toISOString().slice(0, 10),
        requests: 1,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        reasoningTokens: usage.reasoningTokens ?? 0,
        cachedPromptTokens: usage.cachedPromptTokens ?? 0,
        costMicros: Math.round((usage.costUsd ?? 0) * 1_000_000),
      });
    },
    totals: () => totals,
    async flush() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
