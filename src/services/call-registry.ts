/** One operation's cancellation: aborted when its client goes away or shutdown ends it. */
export interface Call {
  readonly signal: AbortSignal;
  /** Cancels the operation (the client unsubscribed). */
  abort(reason: unknown): void;
  /** Ends the call's bookkeeping; call when the operation is over (idempotent). */
  close(): void;
}

/**
 * The operations in flight, so shutdown can end them. Each call links only to
 * its own short-lived parent signal: combining every request with one
 * process-long shutdown signal (AbortSignal.any) leaks on Node 20.
 */
export interface CallRegistry {
  open(parent?: AbortSignal): Call;
  /** Aborts every open call with `reason` (shutdown). */
  abortAll(reason: unknown): void;
  readonly size: number;
}

export function createCallRegistry(): CallRegistry {
  const open = new Set<AbortController>();
  return {
    open(parent) {
      const controller = new AbortController();
      const forward = () => controller.abort(parent?.reason);
      if (parent?.aborted) controller.abort(parent.reason);
      else parent?.addEventListener('abort', forward, { once: true });
      open.add(controller);
      return {
        signal: controller.signal,
        abort: (reason) => controller.abort(reason),
        close() {
          open.delete(controller);
          parent?.removeEventListener('abort', forward);
        },
      };
    },
    abortAll(reason) {
      for (const controller of open) controller.abort(reason);
      open.clear();
    },
    get size() {
      return open.size;
    },
  };
}

/**
 * The abort reason for a client that went away: an `AbortError`, so every log path classifies it
 * as the client's doing (debug, rate-limited), never as a fault of the gateway.
 */
export function clientGone(what: string): DOMException {
  return new DOMException(`the client closed the ${what}`, 'AbortError');
}
