import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { LeaseStore } from '../stores/store-types.js';

/** A concurrency slot held by one model call (or one operation's calls) until released. */
export interface Lease {
  /** Frees the slot and stops refreshing it (idempotent). */
  release(): void;
}

export interface ConcurrencyLimit {
  /**
   * Takes one of the caller's `maxConcurrentRequests` slots, refreshed in the
   * store while held. Throws RATE_LIMITED when every slot is taken.
   */
  acquire(principal: Principal): Promise<Lease>;
}

export interface ConcurrencyLimitOptions {
  leases: LeaseStore;
  /** Slots for callers whose own limits set none (`limits.maxConcurrentRequests`); undefined: no cap. */
  defaultMax?: number;
  /** How long a lease outlives a replica that stopped refreshing it, in milliseconds (`limits.leaseTtlMs`). */
  ttlMs: number;
  /** A refresh or release the store refused (the lease then expires on its own); at most once per 10 s. */
  onError: (error: unknown) => void;
  /** @default Date.now */
  now?: () => number;
}

/** An outage fails every held lease's refresh: one report per this many milliseconds, not one per lease. */
const ERROR_REPORT_EVERY_MS = 10_000;

const NO_LEASE: Lease = { release: () => undefined };
/** Seconds a refused caller is told to wait: slots free as soon as any call ends. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Concurrent model calls per caller subject, exact across replicas: each call
 * holds a lease in the shared store, refreshed every third of its TTL, so a
 * replica that dies (and never releases) frees its slots within one TTL.
 */
export function createConcurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimit {
  const { leases, ttlMs } = options;
  const now = options.now ?? Date.now;
  const refreshEveryMs = Math.max(250, Math.floor(ttlMs / 3));
  let reportedAt = Number.NEGATIVE_INFINITY;
  const onError = (error: unknown) => {
    if (now() - reportedAt < ERROR_REPORT_EVERY_MS) return;
    reportedAt = now();
    options.onError(error);
  };

  return {
    async acquire(principal) {
      const limit = principal.limits.maxConcurrentRequests ?? options.defaultMax;
      if (!limit) return NO_LEASE;
      const key = `conc:${principal.subject}`;
      const holder = randomUUID();
      if (!(await leases.acquire(key, holder, limit, ttlMs))) {
        throw new GatewayError('RATE_LIMITED', `Too many requests in flight: this caller may run ${limit} model calls at once. Retry in ${RETRY_AFTER_SECONDS} s.`, {
          details: { retryAfterSeconds: RETRY_AFTER_SECONDS, maxConcurrentRequests: limit },
        });
      }
      const timer = setInterval(() => leases.refresh(key, holder, ttlMs).catch(onError), refreshEveryMs);
      // A held lease never keeps the process alive on its own.
      timer.unref();
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          clearInterval(timer);
          leases.release(key, holder).catch(onError);
        },
      };
    },
  };
}
