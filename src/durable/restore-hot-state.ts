import type { Pool } from 'pg';
import type { AuthConfig } from '../config/config-schema.js';
import { subjectOf, type PrincipalKind } from '../auth/principal.js';
import { budgetKey } from '../services/limits-service.js';
import type { BudgetStore, KeyStore, UsageStore } from '../stores/store-types.js';
import { createDurableKeys } from './postgres-keys.js';

/** What a restore needs: the system of record and the (empty) hot stores, unguarded. */
export interface RestoreDeps {
  pool: Pool;
  keys: KeyStore;
  budgets: BudgetStore;
  usage: UsageStore;
  budgetPeriod: AuthConfig['budgetPeriod'];
  /** Puts the config file's keys back first (database revocations are applied over them). */
  seedConfigKeys(): Promise<void>;
  /**
   * When the budget counter `key` got its first write since the hot store lost its data
   * (from its expiry), or undefined when it has none: ledger rows from then on are in it already.
   */
  counterStartedAt?(key: string, ttlMs: number): Promise<Date | undefined>;
  /** Distinguishes this restore's usage increments from any other's (they are idempotent by id). */
  restoreId: string;
  now?: () => Date;
}

export interface RestoreSummary {
  keys: number;
  budgets: number;
  usageRows: number;
}

function periodStart(period: AuthConfig['budgetPeriod'], now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), period === 'day' ? now.getUTCDate() : 1));
}

/**
 * Rebuilds what a Redis restarted empty lost, from PostgreSQL: each caller's
 * spend this budget period (the ledger's sum up to the counter's first write
 * since the loss, ADDED to what settled into it since), this month's usage counters per caller, model and
 * day, then API keys (runtime keys and revocations).
 */
export async function restoreHotState(deps: RestoreDeps): Promise<RestoreSummary> {
  const now = (deps.now ?? (() => new Date()))();

  const start = periodStart(deps.budgetPeriod, now);
  const callers = await deps.pool.query<{ caller_kind: PrincipalKind; caller_id: string }>(
    'SELECT DISTINCT caller_kind, caller_id FROM usage_ledger WHERE at >= $1',
    [start],
  );
  let budgets = 0;
  for (const { caller_kind: kind, caller_id: callerId } of callers.rows) {
    const period = budgetKey(subjectOf(kind, callerId), deps.budgetPeriod, now);
    // Completions after the counter's first write since the loss settled into it already: count the ledger before it only.
    const cutoff = (await deps.counterStartedAt?.(period.key, period.ttlMs)) ?? now;
    const [row] = (
      await deps.pool.query<{ micros: string | null }>('SELECT sum(cost_micros)::text AS micros FROM usage_ledger WHERE caller_kind = $4 AND caller_id = $1 AND at >= $2 AND at < $3', [
        callerId,
        start,
        cutoff,
        kind,
      ])
    ).rows;
    const micros = Number(row?.micros ?? 0);
    if (micros === 0) continue;
    await deps.budgets.adjust(period.key, micros, period.ttlMs);
    budgets++;
  }

  const usage = await deps.pool.query<{
    caller_kind: PrincipalKind;
    caller_id: string;
    model: string;
    day: string;
    requests: string;
    prompt: string;
    completion: string;
    reasoning: string;
    cached_prompt: string;
    micros: string;
  }>(
    `SELECT caller_kind, caller_id, model, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::text AS requests,
            sum(prompt_tokens)::text AS prompt, sum(completion_tokens)::text AS completion,
            sum(reasoning_tokens)::text AS reasoning, sum(cached_tokens)::text AS cached_prompt, sum(cost_micros)::text AS micros
       FROM usage_ledger WHERE at >= $1 AND model IS NOT NULL GROUP BY 1, 2, 3, 4`,
    [periodStart('month', now)],
  );
  for (const row of usage.rows) {
    await deps.usage.add({
      id: `restore:${deps.restoreId}:${row.caller_kind}:${row.caller_id}:${row.model}:${row.day}`,
      keyId: row.caller_id,
      subject: subjectOf(row.caller_kind, row.caller_id),
      model: row.model,
      day: row.day,
      requests: Number(row.requests),
      promptTokens: Number(row.prompt),
      completionTokens: Number(row.completion),
      reasoningTokens: Number(row.reasoning),
      cachedPromptTokens: Number(row.cached_prompt),
      costMicros: Number(row.micros),
    });
  }
  // Keys last: a replica that finds a key during the restore already sees its restored spend.
  await deps.seedConfigKeys();
  const stored = await createDurableKeys(deps.pool).list();
  for (const key of stored) await deps.keys.upsertFromConfig(key);
  return { keys: stored.length, budgets, usageRows: usage.rows.length };
}
