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
  /**
   * A call on a controller its caller made for this one operation (the fast lane's request, whose
   * connection carries nothing else): no second controller is linked to it. Several calls of one
   * operation may adopt the same controller; aborting one of them aborts the operation.
   */
  adopt(controller: AbortController): Call;
  /** Aborts every open call with `reason` (shutdown). */
  abortAll(reason: unknown): void;
  readonly size: number;
}

/** A class: a call is one object, with no closures of its own. */
class TrackedCall implements Call {
  private readonly forward: (() => void) | undefined;

  constructor(
    private readonly controller: AbortController,
    private readonly open: Set<TrackedCall>,
    private readonly parent?: AbortSignal,
  ) {
    open.add(this);
    if (!parent) return;
    if (parent.aborted) {
      controller.abort(parent.reason);
      return;
    }
    this.forward = () => controller.abort(parent.reason);
    parent.addEventListener('abort', this.forward, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  close(): void {
    this.open.delete(this);
    if (this.forward) this.parent?.removeEventListener('abort', this.forward);
  }
}

export function createCallRegistry(): CallRegistry {
  const open = new Set<TrackedCall>();
  return {
    open: (parent) => new TrackedCall(new AbortController(), open, parent),
    adopt: (controller) => new TrackedCall(controller, open),
    abortAll(reason) {
      for (const call of open) call.abort(reason);
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
