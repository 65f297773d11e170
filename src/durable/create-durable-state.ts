import type { Cluster, Redis } from 'ioredis';
import type { AuthConfig, DatabaseConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import type { Stores } from '../stores/store-types.js';
import { createDatabase, type Database } from './create-database.js';
import { createEpochGuard, type EpochGuard } from './create-epoch-guard.js';
import { createDurableKeys, type DurableKeys } from './postgres-keys.js';
import { createUsageReports, type UsageReports } from './usage-reports.js';
import { restoreHotState } from './restore-hot-state.js';
import { createUsageLedger, type UsageLedger } from './usage-ledger.js';

export interface DurableStateDeps {
  config: DatabaseConfig;
  logger: Logger;
  /** The hot stores as they are (not guarded by the outage policy): a restore writes straight into them. */
  stores: Pick<Stores, 'keys' | 'budgets' | 'usage'>;
  redis?: { client: Redis | Cluster; keyPrefix: string };
  budgetPeriod: AuthConfig['budgetPeriod'];
  /** Re-seeds the config file's keys (the accounts service's). */
  seedConfigKeys(): Promise<void>;
}

/** PostgreSQL as the system of record, and what keeps the hot stores consistent with it. */
export interface DurableState {
  readonly database: Database;
  readonly keys: DurableKeys;
  readonly ledger: UsageLedger;
  readonly guard: EpochGuard;
  readonly reports: UsageReports;
  /** Migrates, restores the hot state if it is missing, then watches for it going missing again. */
  start(): Promise<void>;
  /**
   * Ready once started, and while PostgreSQL answers or the ledger still has
   * room to buffer: a short outage does not take replicas out of rotation.
   */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Builds the durable layer; opens no connection until `start()` (or a first query). */
/**
 * When a budget counter was first written: its expiry is set by that first write only
 * (see redis-budgets.ts), so it started `ttlMs - PTTL` ago. Undefined when it does not exist.
 */
async function counterStartedAt(redis: NonNullable<DurableStateDeps['redis']>, key: string, ttlMs: number): Promise<Date | undefined> {
  const remainingMs = await redis.client.pttl(`${redis.keyPrefix}budget:${key}`);
  return remainingMs > 0 ? new Date(Date.now() - (ttlMs - remainingMs)) : undefined;
}

export function createDurableState(deps: DurableStateDeps): DurableState {
  const { config, logger, redis } = deps;
  const database = createDatabase(config, logger);
  const keys = createDurableKeys(database.pool);
  const ledger = createUsageLedger({ pool: database.pool, config: config.ledger, logger });
  const guard = createEpochGuard({
    ...(deps.redis ? { redis: deps.redis } : {}),
    checkEveryMs: config.epochCheckMs,
    logger,
    flushLedger: () => ledger.writer.flush(),
    restore: (restoreId) =>
      restoreHotState({
        pool: database.pool,
        ...deps.stores,
        budgetPeriod: deps.budgetPeriod,
        seedConfigKeys: deps.seedConfigKeys,
        restoreId,
        ...(redis ? { counterStartedAt: (key, ttlMs) => counterStartedAt(redis, key, ttlMs) } : {}),
      }),
  });
  let started = false;

  return {
    database,
    keys,
    ledger,
    guard,
    reports: createUsageReports(database.pool),
    async start() {
      await database.migrate();
      await guard.check();
      guard.start();
      started = true;
    },
    async ready() {
      if (!started) return false;
      return ledger.writer.buffered < config.ledger.maxBuffered || (await database.ping());
    },
    async close() {
      guard.stop();
      await ledger.writer.close();
      await database.close();
    },
  };
}
