import type { CancelSignal } from '../providers/cancel-signal.js';

/**
 * One attempt's cancellation, aborted by its watchdog (a time limit), by the consumer closing a
 * stream, or by the call's own signal: an AbortController and its signal in one small object, with
 * no EventTarget behind it (see cancel-signal.ts for why). As an AbortSignal does, it aborts once,
 * calls its listeners in order, ignores a listener added twice or after the abort, and reports a
 * listener that throws without keeping the others from running.
 */
export class AttemptAbort implements CancelSignal {
  private isAborted = false;
  private abortReason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  /** Read-only to its holders, as an AbortSignal's are: only `abort()` sets them. */
  get aborted(): boolean {
    return this.isAborted;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.abortReason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error: unknown) {
        // As EventTarget does: the error surfaces on its own, the other listeners still run.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  throwIfAborted(): void {
    if (this.isAborted) throw this.abortReason;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.isAborted) return;
    const listeners = this.listeners;
    // A new array of the exact length (a `push` onto `[]`, or a spread, reserves room for 17): it lives as long as the attempt.
    if (!listeners) this.listeners = [listener];
    else if (!listeners.includes(listener)) this.listeners = listeners.concat([listener]);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners;
    if (!listeners) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }
}
