import { CircuitState, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { ModelConfig, RoutingConfig } from '../config/config-schema.js';
import { isProviderError } from '../providers/provider-error.js';
import { CompositeBreaker } from './composite-breaker.js';
import { resolveBreaker } from './route-policy.js';
import type { TargetStats } from './strategies/strategy-types.js';

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** Smoothing of the latency and error-rate averages: recent samples weigh this much. */
const LATENCY_ALPHA = 0.3;
const ERROR_ALPHA = 0.1;

/** One target's (model's) live health. `stats` is shared, unchanged, with the selection strategies. */
export interface TargetHealth {
  readonly modelId: string;
  readonly stats: TargetStats;
  /** EWMA of failures (1) and successes (0). */
  errorRate: number;
  readonly breaker: CircuitBreakerPolicy;
}

export interface HealthSnapshot {
  state: BreakerState;
  latencyMs: number | null;
  errorRate: number;
  inFlight: number;
}

export interface HealthRegistry {
  of(model: ModelConfig): TargetHealth;
  recordSuccess(health: TargetHealth, latencyMs: number): void;
  recordFailure(health: TargetHealth): void;
  snapshot(model: ModelConfig): HealthSnapshot;
}

function stateOf(breaker: CircuitBreakerPolicy): BreakerState {
  switch (breaker.state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half_open';
    default:
      return 'open';
  }
}

/**
 * Health per target: in-flight count, latency and error-rate averages, and a
 * circuit breaker that counts only failures another target could avoid
 * (retryable provider errors: 429, 5xx, network, timeouts), never the caller's
 * own mistakes or cancellations.
 */
export function createHealthRegistry(routing: RoutingConfig, now: () => number = () => performance.now()): HealthRegistry {
  const entries = new Map<string, TargetHealth>();
  const counted = handleWhen((error) => isProviderError(error) && error.retryable);

  function of(model: ModelConfig): TargetHealth {
    let entry = entries.get(model.id);
    if (!entry) {
      const policy = resolveBreaker(routing, model.breaker);
      entry = {
        modelId: model.id,
        stats: { inFlight: 0, latencyMs: undefined, lastSampleAt: undefined },
        errorRate: 0,
        breaker: circuitBreaker(counted, { halfOpenAfter: policy.halfOpenAfterMs, breaker: new CompositeBreaker(policy) }),
      };
      entries.set(model.id, entry);
    }
    return entry;
  }

  return {
    of,
    recordSuccess(health, latencyMs) {
      const { stats } = health;
      stats.latencyMs = stats.latencyMs === undefined ? latencyMs : stats.latencyMs + LATENCY_ALPHA * (latencyMs - stats.latencyMs);
      stats.lastSampleAt = now();
      health.errorRate *= 1 - ERROR_ALPHA;
    },
    recordFailure(health) {
      health.errorRate += ERROR_ALPHA * (1 - health.errorRate);
    },
    snapshot(model) {
      const health = of(model);
      return {
        state: stateOf(health.breaker),
        latencyMs: health.stats.latencyMs ?? null,
        errorRate: health.errorRate,
        inFlight: health.stats.inFlight,
      };
    },
  };
}
