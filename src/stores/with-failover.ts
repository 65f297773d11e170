import type { Logger } from '../create-logger.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { BudgetStore, LeaseStore, RateLimitStore } from './store-types.js';

/** The stores limits are enforced with. */
export interface LimitStores {
  rateLimits: RateLimitStore;
  budgets: BudgetStore;
  leases: LeaseStore;
}

export interface FailoverOptions {
  primary: LimitStores;
  /** Per-replica stores used while the primary is down, with policy "local". */
  fallback: LimitStores;
  policy: 'closed' | 'local';
  logger: Logger;
}

/**
 * Limit stores that survive a Redis outage by policy: "closed" refuses model
 * calls with STORE_UNAVAILABLE, "local" keeps limiting per replica. One log
 * line when the store goes away and one when it is back, not one per request.
 */
export function withFailover(options: FailoverOptions): LimitStores {
  const { primary, fallback, policy, logger } = options;
  let down = false;
  let lastSuccessAt = 0;

  async function guarded<T>(onPrimary: () => Promise<T>, onFallback: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      const result = await onPrimary();
      lastSuccessAt = Math.max(lastSuccessAt, startedAt);
      if (down) {
        down = false;
        logger.warn('limit store is reachable again: limits are shared across replicas again');
      }
      return result;
    } catch (error: unknown) {
      // A call sent before the store came back can fail late (its timeout); it says nothing about now.
      const stale = startedAt < lastSuccessAt;
      if (!down && !stale) {
        down = true;
        logger.error(
          { err: error instanceof Error ? error.message : String(error), policy },
          policy === 'local'
            ? 'limit store unreachable: limiting per replica until it is back'
            : 'limit store unreachable: refusing model calls until it is back (limits.onStoreFailure: closed)',
        );
      }
      if (policy === 'local') return onFallback();
      throw new GatewayError('STORE_UNAVAILABLE', 'Usage limits cannot be checked right now (the shared store is unreachable); retry shortly.', {
        cause: error,
      });
    }
  }

  return {
    rateLimits: {
      take: (...args) => guarded(() => primary.rateLimits.take(...args), () => fallback.rateLimits.take(...args)),
      adjust: (...args) => guarded(() => primary.rateLimits.adjust(...args), () => fallback.rateLimits.adjust(...args)),
    },
    budgets: {
      reserve: (...args) => guarded(() => primary.budgets.reserve(...args), () => fallback.budgets.reserve(...args)),
      adjust: (...args) => guarded(() => primary.budgets.adjust(...args), () => fallback.budgets.adjust(...args)),
      spent: (...args) => guarded(() => primary.budgets.spent(...args), () => fallback.budgets.spent(...args)),
    },
    // A Redis lease whose release fails in an outage expires on its own (limits.leaseTtlMs).
    leases: {
      acquire: (...args) => guarded(() => primary.leases.acquire(...args), () => fallback.leases.acquire(...args)),
      refresh: (...args) => guarded(() => primary.leases.refresh(...args), () => fallback.leases.refresh(...args)),
      release: (...args) => guarded(() => primary.leases.release(...args), () => fallback.leases.release(...args)),
    },
  };
}
