const DONE = Object.freeze({ done: true as const, value: undefined });

/**
 * A stream that is opened on its first `next()`, as a generator's body would start, and
 * whose events are then handed straight through: unlike `async function* () { ...; yield* inner }`,
 * no generator step and no promise of its own per event. Opening may be asynchronous (a lease,
 * a cache lookup) and may fail: the first `next()` rejects, and the stream is over. `return()`
 * and `throw()` go to the opened stream, after any `next()` already waiting for it.
 */
export function deferStream<T>(open: () => AsyncGenerator<T> | Promise<AsyncGenerator<T>>): AsyncGenerator<T> {
  return new DeferredStream(open);
}

/** A class, so an open stream holds one object and no closures once it is opened. */
class DeferredStream<T> implements AsyncGenerator<T> {
  private inner: AsyncGenerator<T> | undefined;
  private opening: Promise<AsyncGenerator<T>> | undefined;
  private over = false;

  constructor(private open: (() => AsyncGenerator<T> | Promise<AsyncGenerator<T>>) | undefined) {}

  private opened(): Promise<AsyncGenerator<T>> {
    const open = this.open;
    if (this.opening || !open) return this.opening as Promise<AsyncGenerator<T>>;
    this.open = undefined;
    this.opening = Promise.resolve()
      .then(open)
      .then(
        (stream) => {
          this.inner = stream;
          // Settled: an open stream need not hold the promise (nor what it resolved with) twice.
          this.opening = undefined;
          return stream;
        },
        (error: unknown) => {
          this.over = true;
          throw error;
        },
      );
    return this.opening;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.inner) return this.inner.next();
    if (this.over) return Promise.resolve(DONE);
    return this.opened().then((it) => it.next());
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    if (this.inner) return this.inner.return(value as T);
    this.over = true;
    // Not opened: nothing to close. Opening: close what it opens, once it has.
    if (!this.opening) return Promise.resolve({ done: true, value: value as T });
    return this.opening.then(
      (it) => it.return(value as T),
      () => ({ done: true, value: value as T }),
    );
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    if (this.inner) return this.inner.throw(error);
    this.over = true;
    if (!this.opening) return Promise.reject(error);
    return this.opening.then((it) => it.throw(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
