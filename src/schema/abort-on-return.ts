import { clientGone, type Call } from '../services/call-registry.js';

/**
 * Wraps a stream so that leaving it (graphql-ws `complete`, SSE close, socket
 * drop) aborts the upstream at once, and `onEnd` runs however it ends. An async
 * generator's own `return()` waits until its pending `next()` settles, which for
 * a stalled upstream is never.
 */
export function abortOnReturn<T>(source: AsyncGenerator<T>, call: Pick<Call, 'abort' | 'close'>): AsyncGenerator<T> {
  return new AbortOnReturn(source, call);
}

/**
 * A class, so an open stream holds one object: its methods are shared, and the two promise
 * handlers a `next()` costs (no async frame) are made once per stream.
 */
class AbortOnReturn<T> implements AsyncGenerator<T> {
  private ended = false;

  constructor(
    private readonly source: AsyncGenerator<T>,
    private readonly call: Pick<Call, 'abort' | 'close'>,
  ) {}

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.close();
  }

  private readonly passed = (result: IteratorResult<T>): IteratorResult<T> => {
    if (result.done) this.end();
    return result;
  };

  private readonly failed = (error: unknown): never => {
    this.end();
    throw error;
  };

  next(): Promise<IteratorResult<T>> {
    try {
      return this.source.next().then(this.passed, this.failed);
    } catch (error: unknown) {
      this.end();
      return Promise.reject(error);
    }
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    this.call.abort(clientGone('stream'));
    void this.source
      .return(undefined)
      .catch(() => undefined)
      .finally(() => this.end());
    return Promise.resolve({ done: true, value: value as T });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.call.abort(error);
    this.end();
    return this.source.throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
