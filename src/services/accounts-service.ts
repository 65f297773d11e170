import { generateSecret, hashSecret } from '../auth/api-key-secret.js';
import type { AuthConfig, KeyLimits, Scope } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { budgetKey } from './limits-service.js';
import type { BudgetStore, KeyStore, StoredApiKey, UsageRow, UsageStore } from '../stores/store-types.js';
import type { DurableKeys } from '../durable/postgres-keys.js';

export const USAGE_PERIODS = ['day', 'month'] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

export interface ModelUsage {
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** The part of completionTokens spent reasoning. */
  reasoningTokens: number;
  /** The part of promptTokens read from the provider's prompt cache. */
  cachedPromptTokens: number;
  costUsd: number;
}

/** The counters summed per model and over all models (cost is summed in micro-USD instead). */
const SUMMED_COUNTERS = ['requests', 'promptTokens', 'completionTokens', 'reasoningTokens', 'cachedPromptTokens'] as const;

export interface UsageSummary extends Omit<ModelUsage, 'model'> {
  period: UsagePeriod;
  /** First and last UTC day covered, `YYYY-MM-DD`. */
  from: string;
  to: string;
  byModel: ModelUsage[];
}

export interface BudgetStatus {
  period: AuthConfig['budgetPeriod'];
  limitUsd: number;
  /** Spent this period, reservations of requests in flight included. */
  spentUsd: number;
}

/** API keys and usage: what `viewer` and the admin fields read and change. */
export interface AccountsService {
  /** Puts the config file's keys in the key store (hashing secrets); runtime revocations stick. */
  seedConfigKeys(): Promise<void>;
  createKey(input: { id: string; scopes: Scope[]; models: string[]; limits: KeyLimits }): Promise<{ key: StoredApiKey; secret: string }>;
  revokeKey(id: string): Promise<StoredApiKey>;
  listKeys(): Promise<StoredApiKey[]>;
  findKey(id: string): Promise<StoredApiKey | undefined>;
  /** Usage of a subject (`key:<id>`, `jwt:<subject>`, `anon`: Principal.subject). */
  usage(subject: string, period: UsagePeriod): Promise<UsageSummary>;
  budget(subject: string, limits: KeyLimits): Promise<BudgetStatus | null>;
}

function daysOf(period: UsagePeriod, today: Date): string[] {
  const last = today.toISOString().slice(0, 10);
  if (period === 'day') return [last];
  const days: string[] = [];
  for (let day = 1; day <= today.getUTCDate(); day++) {
    days.push(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), day)).toISOString().slice(0, 10));
  }
  return days;
}

function summarize(period: UsagePeriod, days: string[], rows: UsageRow[]): UsageSummary {
  const byModel = new Map<string, ModelUsage>();
  for (const row of rows) {
    let entry = byModel.get(row.model);
    if (!entry) byModel.set(row.model, (entry = { model: row.model, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedPromptTokens: 0, costUsd: 0 }));
    for (const counter of SUMMED_COUNTERS) entry[counter] += row[counter];
    entry.costUsd += row.costMicros / 1_000_000;
  }
  const models = [...byModel.values()].sort((a, b) => a.model.localeCompare(b.model));
  const sum = (field: (typeof SUMMED_COUNTERS)[number]) => models.reduce((total, entry) => total + entry[field], 0);
  return {
    period,
    from: days[0] as string,
    to: days.at(-1) as string,
    requests: sum('requests'),
    promptTokens: sum('promptTokens'),
    completionTokens: sum('completionTokens'),
    reasoningTokens: sum('reasoningTokens'),
    cachedPromptTokens: sum('cachedPromptTokens'),
    costUsd: rows.reduce((total, row) => total + row.costMicros, 0) / 1_000_000,
    byModel: models,
  };
}

export function createAccountsService(deps: {
  auth: AuthConfig;
  keys: KeyStore;
  usage: UsageStore;
  budgets: BudgetStore;
  /** PostgreSQL, when configured: runtime keys are written there first (the key store is then a cache). */
  durableKeys?: DurableKeys;
  now?: () => Date;
}): AccountsService {
  const { auth, keys } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async seedConfigKeys() {
      const createdAt = now().toISOString();
      for (const key of auth.keys) {
        await keys.upsertFromConfig({
          id: key.id,
          secretHash: key.sha256 ?? hashSecret(key.secret as string),
          scopes: key.scopes,
          models: key.models,
          limits: key.limits,
          createdAt,
          source: 'config',
        });
      }
    },
    async createKey(input) {
      const secret = generateSecret();
      const key: StoredApiKey = {
        id: input.id,
        secretHash: hashSecret(secret),
        scopes: input.scopes,
        models: input.models,
        limits: input.limits,
        createdAt: now().toISOString(),
        source: 'api',
      };
      const taken = () => new GatewayError('BAD_USER_INPUT', `input.id: a key with id "${input.id}" already exists`, { details: { field: 'input.id' } });
      // The system of record first: a key the caller was shown must survive any cache.
      if (deps.durableKeys && !(await deps.durableKeys.insert(key))) throw taken();
      let created = false;
      try {
        created = await keys.create(key);
      } finally {
        // Refused (a config key has the id) or failed: no key of record the caller never got.
        if (!created) await deps.durableKeys?.remove(key.id);
      }
      if (!created) throw taken();
      return { key, secret };
    },
    async revokeKey(id) {
      const at = now().toISOString();
      if (deps.durableKeys) {
        const existing = await keys.findById(id);
        if (existing) await deps.durableKeys.revoke(existing, at);
      }
      const revoked = await keys.revoke(id, at);
      if (!revoked) throw new GatewayError('BAD_USER_INPUT', `id: no key "${id}"`, { details: { field: 'id' } });
      return revoked;
    },
    listKeys: () => keys.list(),
    findKey: (id) => keys.findById(id),
    async usage(subject, period) {
      const days = daysOf(period, now());
      return summarize(period, days, await deps.usage.read(subject, days));
    },
    async budget(subject, limits) {
      if (!limits.budgetUsd) return null;
      const spent = await deps.budgets.spent(budgetKey(subject, auth.budgetPeriod, now()).key);
      return { period: auth.budgetPeriod, limitUsd: limits.budgetUsd, spentUsd: spent / 1_000_000 };
    },
  };
}
