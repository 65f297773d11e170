import { clientGone, type Call } from '../services/call-registry.js';
import { returnThis } from '../return-this.js';

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
  // Made once per stream: a `next()` costs the source's promise and one `then`, no async frame.
  const passed = (result: IteratorResult<T>): IteratorResult<T> => {
    if (result.done) end();
    return result;
  };
  const failed = (error: unknown): never => {
    end();
    throw error;
  };
  const wrapper: AsyncGenerator<T> = {
    next() {
      try {
        return source.next().then(passed, failed);
      } catch (error: unknown) {
        end();
        return Promise.reject(error);
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
    [Symbol.asyncIterator]: returnThis,
  };
  return wrapper;
}
