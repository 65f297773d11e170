import { returnThis } from '../../return-this.js';

const DONE = Object.freeze({ done: true as const, value: undefined });

/**
 * A stream that is opened on its first `next()`, as a generator's body would start, and
 * whose events are then handed straight through: unlike `async function* () { ...; yield* inner }`,
 * no generator step and no promise of its own per event. Opening may be asynchronous (a lease,
 * a cache lookup) and may fail: the first `next()` rejects, and the stream is over. `return()`
 * and `throw()` go to the opened stream, after any `next()` already waiting for it.
 */
export function deferStream<T>(open: () => AsyncGenerator<T> | Promise<AsyncGenerator<T>>): AsyncGenerator<T> {
  let inner: AsyncGenerator<T> | undefined;
  let opening: Promise<AsyncGenerator<T>> | undefined;
  let over = false;
  const opened = (): Promise<AsyncGenerator<T>> =>
    (opening ??= Promise.resolve()
      .then(open)
      .then(
        (stream) => (inner = stream),
        (error: unknown) => {
          over = true;
          throw error;
        },
      ));
  const stream: AsyncGenerator<T> = {
    next() {
      if (inner) return inner.next();
      if (over) return Promise.resolve(DONE);
      return opened().then((it) => it.next());
    },
    return(value) {
      if (inner) return inner.return(value);
      over = true;
      // Not opened: nothing to close. Opening: close what it opens, once it has.
      if (!opening) return Promise.resolve({ done: true, value: value as T });
      return opening.then(
        (it) => it.return(value),
        () => ({ done: true, value: value as T }),
      );
    },
    throw(error: unknown) {
      if (inner) return inner.throw(error);
      over = true;
      if (!opening) return Promise.reject(error);
      return opening.then((it) => it.throw(error));
    },
    [Symbol.asyncIterator]: returnThis,
  };
  return stream;
}
