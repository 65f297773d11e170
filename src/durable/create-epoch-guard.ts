import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../create-logger.js';
import type { BudgetStore, KeyStore } from '../stores/store-types.js';
import type { RestoreSummary } from './restore-hot-state.js';

/** The marker's key under the prefix: present while Redis holds the restored state. */
export const EPOCH_KEY = 'epoch';
/** How long one replica may hold the restore lock before another takes over, in milliseconds. */
const RESTORE_LOCK_MS = 30_000;
/** Pause between looks at the marker while another replica restores, in milliseconds. */
const WAIT_POLL_MS = 100;
const RELEASE_OWN_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export interface EpochGuardOptions {
  /** Absent: memory stores, restored once at start. */
  redis?: { client: Redis | Cluster; keyPrefix: string };
  /** Rebuilds keys, spend and usage from PostgreSQL (restoreHotState with its deps bound). */
  restore(restoreId: string): Promise<RestoreSummary>;
  /** Writes this replica's buffered ledger rows first, so the spend restored includes them. */
  flushLedger(): Promise<void>;
  /** How often the marker is checked, in milliseconds. */
  checkEveryMs: number;
  logger: Logger;
}

/** Detects a hot store that lost its state and restores it before limits apply again. */
export interface EpochGuard {
  /** Looks at the marker now; restores when it is missing. True when a restore happened (here or on another replica). */
  check(): Promise<boolean>;
  /** Budgets that wait for a restore in progress, and re-check a period counter that starts from zero. */
  budgets(inner: BudgetStore): BudgetStore;
  /** Keys that wait for a restore in progress, and re-check after a miss. */
  keys(inner: KeyStore): KeyStore;
  /** Checks periodically and whenever the client (re)connects. */
  start(): void;
  stop(): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createEpochGuard(options: EpochGuardOptions): EpochGuard {
  const { redis, logger } = options;
  const epochKey = redis ? `${redis.keyPrefix}${EPOCH_KEY}` : '';
  const lockKey = `${epochKey}:restoring`;
  let restoring: Promise<boolean> | undefined;
  let restoredOnce = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function restoreHere(token: string): Promise<void> {
    await options.flushLedger().catch(() => undefined);
    const started = performance.now();
    const summary = await options.restore(token);
    logger.warn({ ...summary, ms: Math.round(performance.now() - started) }, 'hot state restored from PostgreSQL (keys, budget spend, usage counters)');
  }

  async function recover(client: Redis | Cluster): Promise<boolean> {
    const token = randomUUID();
    for (;;) {
      if ((await client.set(lockKey, token, 'PX', RESTORE_LOCK_MS, 'NX')) === 'OK') {
        try {
          // The marker was missing when this replica looked, but another may have restored and let go of the lock since.
          if ((await client.exists(epochKey)) === 1) return true;
          logger.warn('Redis holds no epoch marker (restarted empty or flushed): restoring from PostgreSQL before enforcing limits');
          await restoreHere(token);
          await client.set(epochKey, token);
        } finally {
          // Only this replica's lock: after an expiry the lock may be another replica's.
          await client.eval(RELEASE_OWN_LOCK, 1, lockKey, token).catch(() => undefined);
        }
        return true;
      }
      // Another replica restores: wait for its marker (or for its lock to expire, then take over).
      const deadline = Date.now() + RESTORE_LOCK_MS;
      while (Date.now() < deadline) {
        if (stopped) return false;
        if ((await client.exists(epochKey)) === 1) return true;
        await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      }
    }
  }

  /** Runs one restore; the promise never rejects (a failure is logged and retried at the next check). */
  function begin(run: () => Promise<boolean>): Promise<boolean> {
    const current: Promise<boolean> = run()
      .catch((error: unknown) => {
        logger.error({ err: messageOf(error) }, 'could not restore the hot state from PostgreSQL; will try again');
        return false;
      })
      .finally(() => {
        if (restoring === current) restoring = undefined;
      });
    restoring = current;
    return current;
  }

  async function check(): Promise<boolean> {
    if (restoring) return restoring;
    if (!redis) {
      if (restoredOnce) return false;
      restoredOnce = true;
      return begin(() => restoreHere(randomUUID()).then(() => true));
    }
    let present: boolean;
    try {
      present = (await redis.client.exists(epochKey)) === 1;
    } catch {
      return false; // Redis away: the limits' outage policy applies; look again when it is back
    }
    if (present) return false;
    return restoring ?? begin(() => recover(redis.client));
  }

  const settle = () => (restoring ? restoring.then(() => undefined, () => undefined) : undefined);
  const onReady = () => void check();

  return {
    check,
    budgets(inner) {
      return {
        async reserve(key, amountMicros, capMicros, ttlMs) {
          await settle();
          const result = await inner.reserve(key, amountMicros, capMicros, ttlMs);
          // A counter that starts from this reservation: a new period, or a Redis that lost everything.
          if (!redis || !result.allowed || amountMicros <= 0 || result.spentMicros !== Math.round(amountMicros)) return result;
          if (!(await check())) return result;
          const spentMicros = await inner.spent(key);
          if (spentMicros <= capMicros) return { allowed: true, spentMicros };
          await inner.adjust(key, -Math.round(amountMicros), ttlMs);
          return { allowed: false, spentMicros: spentMicros - Math.round(amountMicros) };
        },
        adjust: (...args) => inner.adjust(...args),
        async spent(key) {
          await settle();
          const spentMicros = await inner.spent(key);
          // Nothing spent may also mean a Redis that lost everything and was not noticed yet.
          if (spentMicros !== 0 || !redis || !(await check())) return spentMicros;
          return inner.spent(key);
        },
      };
    },
    keys(inner) {
      return {
        ...inner,
        async findByHash(secretHash) {
          await settle();
          const found = await inner.findByHash(secretHash);
          if (found || !redis || !(await check())) return found;
          return inner.findByHash(secretHash);
        },
        findById: async (id) => {
          await settle();
          return inner.findById(id);
        },
        onRevoked: (listener) => inner.onRevoked(listener),
      };
    },
    start() {
      if (!redis) return;
      redis.client.on('ready', onReady);
      timer = setInterval(onReady, options.checkEveryMs);
      timer.unref();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      redis?.client.off('ready', onReady);
    },
  };
}
