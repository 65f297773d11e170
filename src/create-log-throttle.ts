import type { Logger } from './create-logger.js';

/** Levels for what callers cause (never `error`: that is for the gateway's own faults). */
export type CallerLogLevel = 'debug' | 'info' | 'warn';

/** Options for `createLogThrottle`. */
export interface LogThrottleOptions {
  /** Lines of one kind written per interval; the rest are counted, and the count written once. @default 20 */
  maxPerInterval?: number;
  /** Length of the interval, in milliseconds. @default 10_000 */
  intervalMs?: number;
  /** Clock, in milliseconds. @default Date.now */
  now?: () => number;
}

/** Writes caller-caused log lines, at most `maxPerInterval` of each kind per interval. */
export interface LogThrottle {
  log(level: CallerLogLevel, kind: string, fields: Record<string, unknown>, message: string): void;
  /** Writes the pending suppressed counts now (at shutdown). */
  flush(): void;
}

interface Window {
  startedAt: number;
  written: number;
  suppressed: number;
  level: CallerLogLevel;
  timer?: NodeJS.Timeout;
}

/**
 * A log volume callers cannot control: refused credentials, limit refusals and clients that go
 * away are logged per kind up to a budget per interval; beyond it lines are only counted, and one
 * "suppressed" line with the count closes the interval. Memory is one small record per kind
 * (kinds are a closed set chosen by the code, never caller input).
 */
export function createLogThrottle(logger: Logger, options: LogThrottleOptions = {}): LogThrottle {
  const maxPerInterval = options.maxPerInterval ?? 20;
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();

  function report(kind: string, window: Window): void {
    if (window.timer) clearTimeout(window.timer);
    window.timer = undefined;
    if (window.suppressed === 0) return;
    logger[window.level]({ kind, suppressed: window.suppressed, intervalMs }, `${window.suppressed} more "${kind}" lines suppressed`);
    window.suppressed = 0;
  }

  return {
    log(level, kind, fields, message) {
      if (!logger.isLevelEnabled(level)) return;
      const at = now();
      let window = windows.get(kind);
      if (!window || at - window.startedAt >= intervalMs) {
        if (window) report(kind, window);
        window = { startedAt: at, written: 0, suppressed: 0, level };
        windows.set(kind, window);
      }
      if (window.written < maxPerInterval) {
        window.written++;
        logger[level]({ ...fields, kind }, message);
        return;
      }
      window.suppressed++;
      const current = window;
      // Say how many were dropped at the end of the interval even if no further line comes.
      current.timer ??= setTimeout(() => report(kind, current), Math.max(0, current.startedAt + intervalMs - at)).unref();
    },
    flush() {
      for (const [kind, window] of windows) report(kind, window);
    },
  };
}
