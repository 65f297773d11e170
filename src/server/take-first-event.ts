import { GraphQLError, type ExecutionResult } from 'graphql';
import { maskGatewayError } from '../errors/mask-gateway-error.js';

/**
 * A subscription's first event, taken before any response header is sent: either a refusal
 * (the result to answer with, once, with its HTTP status), or the whole stream, its first event
 * put back in front.
 */
export type FirstEvent = { refused: ExecutionResult } | { stream: AsyncIterable<ExecutionResult> };

function httpStatusOf(error: unknown): number | undefined {
  const http = error instanceof GraphQLError ? (error.extensions?.http as { status?: unknown } | undefined) : undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/** A result that refuses the whole operation: errors with an HTTP status of their own, and no data. */
function isRefusal(result: ExecutionResult): boolean {
  if (result.data != null || !result.errors?.length) return false;
  return result.errors.some((error) => (httpStatusOf(error) ?? 0) >= 400);
}

/** The iterator again, with `first` (an event or an error) handed out before the rest. */
function prepend(first: { value: IteratorResult<ExecutionResult> } | { error: unknown }, iterator: AsyncIterator<ExecutionResult>): AsyncIterable<ExecutionResult> {
  return new Prepended(first, iterator);
}

/** A class, so an open stream holds one object here, its methods shared. */
class Prepended implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private pending: { value: IteratorResult<ExecutionResult> } | { error: unknown } | undefined,
    private readonly iterator: AsyncIterator<ExecutionResult>,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    const head = this.pending;
    if (!head) return this.iterator.next();
    this.pending = undefined;
    return 'error' in head ? Promise.reject(head.error) : Promise.resolve(head.value);
  }

  return(value?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.pending = undefined;
    return this.iterator.return ? this.iterator.return(value) : Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Waits for a subscription's first event so a refusal (rate limit, budget, concurrency, auth:
 * anything with an HTTP status) is answered like a query — 429 + `Retry-After`, 401, 403 — rather
 * than as an event on a 200 stream. Limits are taken when the stream starts, before any upstream
 * call, so a refusal is known at the first event. Anything else (the first delta, an upstream
 * failure, an unexpected error) goes back into the stream unchanged.
 */
export async function takeFirstEvent(results: AsyncIterable<ExecutionResult>): Promise<FirstEvent> {
  const iterator = results[Symbol.asyncIterator]();
  let first: IteratorResult<ExecutionResult>;
  try {
    first = await iterator.next();
  } catch (error: unknown) {
    if (!(error instanceof Error && error.name === 'AbortError')) {
      const masked = maskGatewayError(error, 'Unexpected error.');
      if ((httpStatusOf(masked) ?? 0) >= 400) return { refused: { errors: [masked as GraphQLError] } };
    }
    return { stream: prepend({ error }, iterator) };
  }
  if (!first.done && isRefusal(first.value)) {
    void iterator.return?.()?.catch(() => undefined);
    return { refused: first.value };
  }
  return { stream: prepend({ value: first }, iterator) };
}
