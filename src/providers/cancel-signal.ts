/**
 * What a provider needs of a cancellation: the part of AbortSignal's interface the adapters use, so
 * an AbortSignal is one (an embedding call's), and so is an attempt's lighter `AttemptAbort`. On
 * Node 20 every AbortSignal allocates ~1.6 KB and outlives young-generation GCs, with all it refers
 * to at the time: one per attempt, for every request and open stream, was worth avoiding.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The abort reason, typed as undici's dispatch controller takes it (it passes any value through). */
export function reasonOf(signal: CancelSignal): Error {
  return signal.reason as Error;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
