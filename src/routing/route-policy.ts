import type { BreakerConfig, RetryConfig, RoutingConfig, TimeoutsConfig } from '../config/config-schema.js';

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

export interface TimeoutPolicy {
  firstTokenMs: number;
  idleMs: number;
  totalMs: number;
}

export interface BreakerPolicy {
  consecutiveFailures: number;
  failureRate: number;
  windowMs: number;
  minRequests: number;
  halfOpenAfterMs: number;
}

/** Defaults when neither the route, the model nor `routing:` says otherwise. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 0, initialDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 10_000 };
export const DEFAULT_TIMEOUTS: TimeoutPolicy = { firstTokenMs: 60_000, idleMs: 60_000, totalMs: 600_000 };
export const DEFAULT_BREAKER: BreakerPolicy = {
  consecutiveFailures: 5,
  failureRate: 0.5,
  windowMs: 60_000,
  minRequests: 20,
  halfOpenAfterMs: 30_000,
};

function merge<T extends object>(base: T, ...layers: (Partial<T> | undefined)[]): T {
  const out = { ...base };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** The retry policy in force: defaults < `routing.retry` < model < route. */
export function resolveRetry(routing: RoutingConfig, ...layers: (RetryConfig | undefined)[]): RetryPolicy {
  return merge(DEFAULT_RETRY, routing.retry, ...layers);
}

/** The timeouts in force: defaults < `routing.timeouts` < model < route. */
export function resolveTimeouts(routing: RoutingConfig, ...layers: (TimeoutsConfig | undefined)[]): TimeoutPolicy {
  return merge(DEFAULT_TIMEOUTS, routing.timeouts, ...layers);
}

/** A target's breaker: defaults < `routing.breaker` < model. */
export function resolveBreaker(routing: RoutingConfig, model: BreakerConfig | undefined): BreakerPolicy {
  return merge(DEFAULT_BREAKER, routing.breaker, model);
}
