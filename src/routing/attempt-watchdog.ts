import { ProviderError } from '../providers/provider-error.js';

export interface WatchdogOptions {
  provider: string;
  /** Before the first part: the deadline for it (absolute, `now()` clock); undefined = none. */
  firstTokenDeadline: number | undefined;
  /** After the first part: the longest silence allowed, in milliseconds; undefined = none. */
  idleMs: number | undefined;
  /** The whole request's deadline (absolute). */
  totalDeadline: number;
  /** Aborted with a ProviderError (UPSTREAM_TIMEOUT) when a limit passes. */
  controller: { abort(reason: unknown): void };
  now?: () => number;
}

/** Tracks one attempt's time limits with a single timer. */
export interface Watchdog {
  /** Call on every part; cheap (one clock read), so it can sit on the per-chunk path. */
  markPart(): void;
  /** Ends the attempt at once (its signal aborts with `reason`): the consumer closing the upstream. */
  abort(reason: unknown): void;
  dispose(): void;
}

/**
 * One timer per attempt, re-armed only when it fires, instead of a
 * clearTimeout/setTimeout pair per streamed chunk.
 */
export function startWatchdog(options: WatchdogOptions): Watchdog {
  const now = options.now ?? (() => performance.now());
  let lastPartAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (absolute). */
  let armedFor = Number.POSITIVE_INFINITY;

  function deadline(): { at: number; reason: string; beforeFirstPart: boolean } {
    const total = { at: options.totalDeadline, reason: 'the request time limit (totalMs)', beforeFirstPart: lastPartAt === undefined };
    if (lastPartAt === undefined) {
      if (options.firstTokenDeadline !== undefined && options.firstTokenDeadline < total.at) {
        return { at: options.firstTokenDeadline, reason: 'no first token in time (firstTokenMs)', beforeFirstPart: true };
      }
      return total;
    }
    if (options.idleMs !== undefined && lastPartAt + options.idleMs < total.at) {
      return { at: lastPartAt + options.idleMs, reason: `the stream stalled for ${options.idleMs} ms (idleMs)`, beforeFirstPart: false };
    }
    return total;
  }

  function check(): void {
    timer = undefined;
    const next = deadline();
    const remaining = next.at - now();
    if (remaining > 0) {
      arm(remaining);
      return;
    }
    options.controller.abort(
      new ProviderError('UPSTREAM_TIMEOUT', `Provider "${options.provider}" timed out: ${next.reason}.`, {
        provider: options.provider,
        // Before the first token another try or target may still help; after it the answer is cut.
        retryable: next.beforeFirstPart,
      }),
    );
  }

  function arm(ms: number): void {
    if (timer) clearTimeout(timer);
    armedFor = now() + ms;
    timer = setTimeout(check, Math.max(1, Math.ceil(ms)));
    timer.unref?.();
  }

  arm(deadline().at - now());
  return {
    markPart() {
      lastPartAt = now();
      // Later parts only move the idle deadline later, so the timer rarely needs re-arming:
      // only when the idle deadline comes before the one armed (the first part, typically).
      if (options.idleMs !== undefined && lastPartAt + options.idleMs < armedFor) arm(options.idleMs);
    },
    abort(reason) {
      options.controller.abort(reason);
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
