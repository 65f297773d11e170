/**
 * Wraps a stream so that leaving it (graphql-ws `complete`, SSE close, socket
 * drop) aborts the upstream at once. An async generator's own `return()` waits
 * until its pending `next()` settles, which for a stalled upstream is never.
 */
export function abortOnReturn<T>(source: AsyncGenerator<T>, controller: AbortController): AsyncGenerator<T> {
  const wrapper: AsyncGenerator<T> = {
    next: () => source.next(),
    return(value) {
      controller.abort(new Error('the client closed the stream'));
      void source.return(undefined).catch(() => undefined);
      return Promise.resolve({ done: true, value: value as T });
    },
    throw(error: unknown) {
      controller.abort(error);
      return source.throw(error);
    },
    [Symbol.asyncIterator]() {
      return wrapper;
    },
  };
  return wrapper;
}
