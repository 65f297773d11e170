import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import { isProviderError, ProviderError } from '../providers/provider-error.js';
import type { Target } from './catalog.js';
import type { Attempt } from './attempt.js';
import { startWatchdog, type Watchdog } from './attempt-watchdog.js';
import type { RoutePlan } from './plan-routes.js';
import { retryDelay } from './retry-delay.js';
import type { HealthRegistry, TargetHealth } from './target-health.js';
import { AttemptAbort } from './attempt-abort.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export interface AttemptDeps {
  health: HealthRegistry;
  now: () => number;
  random: () => number;
  /** Waits between retries; rejects with the signal's reason when it aborts. */
  wait: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The attempt that succeeded, still open for a stream: settle it when the answer is over. */
export interface LiveAttempt {
  target: Target;
  health: TargetHealth;
  watchdog: Watchdog;
  /** Ends the attempt: in-flight count, timers and listeners. Idempotent. */
  settle(): void;
}

export interface RunAttemptsOptions<T> {
  plan: RoutePlan;
  /** The caller's signal: client gone, or server shutting down. */
  signal: AbortSignal;
  /** Filled as attempts are made, successful or not. */
  attempts: Attempt[];
  streaming: boolean;
  startedAt: number;
  promptTokens: number;
  completionTokens: number;
  /** One try: resolves once the target has started answering (a stream: its first content part). */
  start(target: Target, signal: CancelSignal, watchdog: Watchdog): Promise<T>;
  /** Observes each attempt: called as it starts, the result called with its outcome. */
  onAttempt?: (target: Target) => (attempt: Attempt) => void;
}

export const defaultWait = (ms: number, signal: AbortSignal): Promise<void> =>
  sleep(ms, undefined, { signal }).catch((error: unknown) => {
    signal.throwIfAborted();
    throw error;
  });

function failure(target: Target, error: unknown, latencyMs: number): Attempt {
  const code = isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
  return {
    model: target.model.id,
    provider: target.provider.id,
    outcome: code === 'UPSTREAM_TIMEOUT' ? 'timed_out' : 'failed',
    latencyMs,
    errorCode: code,
  };
}

/** Aborts `to` when `from` aborts; made here so it holds those two only, not the scope of `runAttempts` (and its caller's request). */
function forwardAbort(from: AbortSignal, to: AttemptAbort): () => void {
  return () => to.abort(from.reason);
}

/** A started attempt: a class, so a live stream's attempt holds its own fields and no closure over `runAttempts`' scope. */
class StartedAttempt implements LiveAttempt {
  private settled = false;

  constructor(
    readonly target: Target,
    readonly health: TargetHealth,
    readonly watchdog: Watchdog,
    private readonly signal: AbortSignal,
    private readonly forward: () => void,
  ) {
    health.stats.inFlight++;
    signal.addEventListener('abort', forward, { once: true });
  }

  settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.health.stats.inFlight--;
    this.watchdog.dispose();
    this.signal.removeEventListener('abort', this.forward);
  }
}

/** The error a caller sees once no target is left to try. */
function exhausted(plan: RoutePlan, attempts: Attempt[], last: unknown): unknown {
  const error =
    last ??
    new ProviderError('UPSTREAM_UNAVAILABLE', `Every target of "${plan.requested}" is unavailable (circuit breaker open); retry later.`, {
      provider: attempts[0]?.provider ?? plan.requested,
      retryable: true,
    });
  if (!isGatewayError(error)) return error;
  const details = { ...error.details, attempts };
  if (attempts.length <= 1) return new GatewayError(error.code, error.message, { details, cause: error });
  const summary = attempts.map((attempt) => `${attempt.model} (${attempt.errorCode ?? attempt.outcome})`).join(', ');
  return new GatewayError(error.code, `All ${attempts.length} attempts for "${plan.requested}" failed: ${summary}. Last error: ${error.message}`, {
    details,
    cause: error,
  });
}

/**
 * Tries the plan's targets in the strategy's order: retries a target with
 * backoff on retryable failures, skips targets whose breaker is open, falls
 * back to the next target, and enforces the time limits of every attempt.
 * Non-retryable failures (the request itself is wrong) end it at once.
 */
export async function runAttempts<T>(deps: AttemptDeps, options: RunAttemptsOptions<T>): Promise<{ value: T; live: LiveAttempt }> {
  const { plan, signal, attempts } = options;
  const { now } = deps;
  const totalDeadline = options.startedAt + plan.timeouts.totalMs;
  const ordered = plan.strategy(plan.candidates, {
    random: deps.random,
    now,
    promptTokens: options.promptTokens,
    completionTokens: options.completionTokens,
  });
  let lastError: unknown;
  // Targets planning left out (a capability the request needs) come first in the report.
  attempts.push(...plan.skipped);

  for (const { target } of ordered) {
    const health = deps.health.of(target.model);
    for (let retry = 0; ; retry++) {
      signal.throwIfAborted();
      const observed = options.onAttempt?.(target);
      const record = (attempt: Attempt) => {
        attempts.push(attempt);
        observed?.(attempt);
      };
      const cancel = new AttemptAbort();
      const started = now();
      const watchdog = startWatchdog({
        provider: target.provider.id,
        firstTokenDeadline: options.streaming ? started + plan.timeouts.firstTokenMs : undefined,
        idleMs: options.streaming ? plan.timeouts.idleMs : undefined,
        totalDeadline,
        controller: cancel,
        now,
      });
      const attempt = new StartedAttempt(target, health, watchdog, signal, forwardAbort(signal, cancel));
      try {
        const value = await health.breaker.execute(() => options.start(target, cancel, watchdog));
        const latencyMs = now() - started;
        deps.health.recordSuccess(health, latencyMs);
        record({ model: target.model.id, provider: target.provider.id, outcome: 'success', latencyMs });
        return { value, live: attempt };
      } catch (error: unknown) {
        attempt.settle();
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          record({ model: target.model.id, provider: target.provider.id, outcome: 'skipped', latencyMs: 0 });
          break;
        }
        if (signal.aborted) {
          observed?.({ ...failure(target, error, now() - started), outcome: 'failed' });
          throw signal.reason ?? error;
        }
        record(failure(target, error, now() - started));
        lastError = error;
        if (!isProviderError(error) || !error.retryable) throw exhausted(plan, attempts, error);
        deps.health.recordFailure(health);
        if (retry >= plan.retry.attempts) break;
        const delay = retryDelay(plan.retry, retry, error.retryAfterMs, deps.random);
        if (delay === undefined || now() + delay >= totalDeadline) break;
        await deps.wait(delay, signal);
      }
    }
    if (now() >= totalDeadline) break;
  }
  throw exhausted(plan, attempts, lastError);
}
