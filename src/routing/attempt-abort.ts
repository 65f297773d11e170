import type { CancelSignal } from '../providers/cancel-signal.js';

/**
 * One attempt's cancellation, aborted by its watchdog (a time limit), by the consumer closing a
 * stream, or by the call's own signal: an AbortController and its signal in one small object, with
 * no EventTarget behind it (see cancel-signal.ts for why). As an AbortSignal does, it aborts once,
 * calls its listeners in order, ignores a listener added twice or after the abort, and reports a
 * listener that throws without keeping the others from running.
 */
export class AttemptAbort implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
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
    if (this.aborted) throw this.reason;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    const listeners = (this.listeners ??= []);
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners;
    if (!listeners) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }
}
