import { clientGone, type Call } from '../services/call-registry.js';

/**
 * Wraps a stream so that leaving it (graphql-ws `complete`, SSE close, socket
 * drop) aborts the upstream at once, and `onEnd` runs however it ends. An async
 * generator's own `return()` waits until its pending `next()` settles, which for
 * a stalled upstream is never.
 */
export function abortOnReturn<T>(source: AsyncGenerator<T>, call: Pick<Call, 'abort' | 'close'>): AsyncGenerator<T> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    call.close();
  };
  const wrapper: AsyncGenerator<T> = {
    async next() {
      try {
        const result = await source.next();
        if (result.done) end();
        return result;
      } catch (error: unknown) {
        end();
        throw error;
      }
    },
    return(value) {
      call.abort(clientGone('stream'));
      void source.return(undefined).catch(() => undefined).finally(end);
      return Promise.resolve({ done: true, value: value as T });
    },
    throw(error: unknown) {
      call.abort(error);
      end();
      return source.throw(error);
    },
    [Symbol.asyncIterator]() {
      return wrapper;
    },
  };
  return wrapper;
}
