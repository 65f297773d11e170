/**
 * The shared state behind limits, usage and keys. Each interface has a memory
 * implementation (one process) and a Redis one (replicas behind a load
 * balancer); both pass one contract suite. Every mutation is atomic.
 */

/** Outcome of taking from a rate limit. */
export interface LimitDecision {
  allowed: boolean;
  /** When refused: how long until the same cost would be allowed, in milliseconds. */
  retryAfterMs: number;
}

/**
 * GCRA rate limits: at most `limit` units per `windowMs`, refilled continuously
 * (a burst of `limit` at once is allowed, then `limit / windowMs` per ms).
 * Keys are opaque (the caller namespaces them).
 */
export interface RateLimitStore {
  /** Takes `cost` units if they fit; refuses without taking anything otherwise. */
  take(key: string, limit: number, windowMs: number, cost: number): Promise<LimitDecision>;
  /**
   * Gives back (negative `delta`) or takes more (positive) after the fact, without
   * refusing: settles a reservation with the real usage.
   */
  adjust(key: string, limit: number, windowMs: number, delta: number): Promise<void>;
}

/** A spend cap per period: reserve an estimate first, settle with the real amount. */
export interface BudgetStore {
  /**
   * Adds `amountMicros` to the period's spend if the total stays within
   * `capMicros`; refuses without adding otherwise. Returns the spend after.
   */
  reserve(key: string, amountMicros: number, capMicros: number, ttlMs: number): Promise<{ allowed: boolean; spentMicros: number }>;
  /** Adds `deltaMicros` (negative to release) unconditionally. */
  adjust(key: string, deltaMicros: number, ttlMs: number): Promise<void>;
  /** The period's spend so far (reservations included). */
  spent(key: string): Promise<number>;
}

/**
 * Concurrency slots: at most `limit` live leases per key. A lease expires `ttlMs`
 * after it was taken or last refreshed, so the slots of a replica that died come
 * back on their own. Keys are opaque (the caller namespaces them).
 */
export interface LeaseStore {
  /** Takes a slot for `holder` (unique per request) if fewer than `limit` live leases exist; refuses otherwise. */
  acquire(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Pushes a held lease's expiry to `ttlMs` from now (nothing when it is gone). */
  refresh(key: string, holder: string, ttlMs: number): Promise<void>;
  /** Frees the slot (idempotent). */
  release(key: string, holder: string): Promise<void>;
}

/** Counters per caller subject, model and UTC day. */
export interface UsageIncrement {
  /** Unique per increment: a retried write with the same id is applied once. */
  id: string;
  /** The caller as users know it (key id, JWT subject, "anonymous"). */
  keyId: string;
  /** What the counters are kept under: `key:<id>`, `jwt:<subject>` or `anon` (see Principal.subject). */
  subject: string;
  model: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** The part of completionTokens spent reasoning (0 when the provider does not say). */
  reasoningTokens: number;
  /** The part of promptTokens read from the provider's prompt cache (0 when the provider does not say). */
  cachedPromptTokens: number;
  /** Cost in micro-USD (integers keep sums exact). */
  costMicros: number;
}

/** The summed counters of one subject, model and day (counters written before a field existed read as 0). */
export type UsageRow = Pick<UsageIncrement, 'model' | 'day' | UsageCounter>;

/** The summed fields of a usage row, in the order the stores write them. */
export const USAGE_COUNTERS = ['requests', 'promptTokens', 'completionTokens', 'reasoningTokens', 'cachedPromptTokens', 'costMicros'] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];

export interface UsageStore {
  add(increment: UsageIncrement): Promise<void>;
  /** Rows of one subject (`key:<id>`, `jwt:<subject>`, `anon`) for the given days (missing days/models are absent). */
  read(subject: string, days: readonly string[]): Promise<UsageRow[]>;
}

/** An API key as stored: never the secret, only its SHA-256. */
export interface StoredApiKey {
  id: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  scopes: string[];
  /** Allowed model/route id globs; empty = all. */
  models: string[];
  limits: { requestsPerMinute?: number; tokensPerMinute?: number; budgetUsd?: number };
  createdAt: string;
  revokedAt?: string;
  /** "config" for keys from the config file, "api" for keys created at runtime. */
  source: 'config' | 'api';
}

export interface KeyStore {
  /** By secret hash; revoked keys are returned too (with revokedAt). */
  findByHash(secretHash: string): Promise<StoredApiKey | undefined>;
  findById(id: string): Promise<StoredApiKey | undefined>;
  list(): Promise<StoredApiKey[]>;
  /** Creates; false when the id is taken. */
  create(key: StoredApiKey): Promise<boolean>;
  /**
   * Inserts or replaces a config key, but never un-revokes one: a key revoked
   * at runtime stays revoked across restarts.
   */
  upsertFromConfig(key: StoredApiKey): Promise<void>;
  /** Marks revoked; returns the key, or undefined when unknown. */
  revoke(id: string, at: string): Promise<StoredApiKey | undefined>;
  /** Called with the secret hash of every key revoked, on any replica. */
  onRevoked(listener: (secretHash: string) => void): () => void;
}

/** Every store the gateway uses, from one backend. */
export interface Stores {
  readonly backend: 'memory' | 'redis';
  rateLimits: RateLimitStore;
  budgets: BudgetStore;
  leases: LeaseStore;
  usage: UsageStore;
  keys: KeyStore;
  /** True when the backend answers (memory: always). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
