import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { classifyFailure } from '../../errors/classify-failure.js';
import { errorCodeOf } from '../../errors/mask-gateway-error.js';

type MaybePromise<T> = T | Promise<T>;

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** One GraphQL operation's span: ends once, with the error codes of every result it saw (`graphql.cancelled` when its client left). */
class OperationSpan {
  readonly context: Context;
  private readonly codes = new Set<string>();
  private cancelled = false;
  private ended = false;

  constructor(readonly span: Span) {
    this.context = trace.setSpan(context.active(), span);
  }

  observe(result: unknown): void {
    const errors = (result as ExecutionResult | undefined)?.errors;
    if (!errors?.length) return;
    for (const error of errors) {
      // A client that left: no error of the operation's (and nobody sees its result).
      if (classifyFailure(error).kind === 'gone') {
        this.cancelled = true;
        continue;
      }
      // Before masking: the code the caller will see.
      const code = error instanceof GraphQLError ? errorCodeOf(error) : (error as { extensions?: { code?: unknown } }).extensions?.code;
      this.codes.add(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
    }
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.span.recordException(error instanceof Error ? error : String(error));
    this.codes.add('INTERNAL_SERVER_ERROR');
    this.end();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.cancelled) this.span.setAttribute('graphql.cancelled', true);
    if (this.codes.size > 0) {
      const codes = [...this.codes];
      this.span.setAttribute('graphql.error.codes', codes);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
    }
    this.span.end();
  }
}

function startOperationSpan(tracer: Tracer, document: DocumentNode, operationName: string | null | undefined): OperationSpan {
  const operation = getOperationAST(document, operationName);
  const type = operation?.operation ?? 'unknown';
  const name = operation?.name?.value ?? operationName ?? undefined;
  const active = context.active();
  const span = tracer.startSpan(
    name ? `graphql.${type} ${name}` : `graphql.${type}`,
    {
      // The entry point unless something (HTTP instrumentation) already traces the request.
      kind: trace.getSpan(active) ? SpanKind.INTERNAL : SpanKind.SERVER,
      attributes: { 'graphql.operation.type': type, ...(name ? { 'graphql.operation.name': name } : {}) },
    },
    active,
  );
  return new OperationSpan(span);
}

/** Runs `run` in the operation's context; a throw or rejection ends the span with the error. */
function within<T>(operation: OperationSpan, run: () => MaybePromise<T>): MaybePromise<T> {
  try {
    const result = context.with(operation.context, run);
    if (isPromiseLike<T>(result)) {
      return Promise.resolve(result).catch((error: unknown) => {
        operation.fail(error);
        throw error;
      });
    }
    return result;
  } catch (error: unknown) {
    operation.fail(error);
    throw error;
  }
}

/**
 * A subscription's event stream, pulled in the operation's context (so spans
 * started by the resolver are its children), ending the span with the stream.
 */
function traceStream<T>(source: AsyncIterable<T>, operation: OperationSpan): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const settle = (step: Promise<IteratorResult<T>>) =>
    step.then(
      (next) => {
        if (next.done) operation.end();
        else operation.observe(next.value);
        return next;
      },
      (error: unknown) => {
        operation.fail(error);
        throw error;
      },
    );
  const stream: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => stream,
    next: () => settle(context.with(operation.context, () => Promise.resolve(iterator.next()))),
    return: (value?: unknown) => {
      // The consumer left (unsubscribe, disconnect): the operation is over either way.
      const closing = iterator.return ? context.with(operation.context, () => Promise.resolve(iterator.return?.(value))) : undefined;
      operation.end();
      return closing ? closing.then((result) => result ?? { done: true, value: undefined }) : Promise.resolve({ done: true, value: undefined } as IteratorResult<T>);
    },
    throw: (error?: unknown) => {
      if (!iterator.throw) {
        operation.fail(error);
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return settle(context.with(operation.context, () => Promise.resolve(iterator.throw?.(error) as Promise<IteratorResult<T>>)));
    },
  };
  return stream;
}

/** A span per GraphQL operation (`graphql.<type> <name>`), active while it executes. */
export function useOperationSpans(tracer: Tracer): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = startOperationSpan(tracer, args.document, args.operationName);
      setExecuteFn((executeArgs) => within(operation, () => executeFn(executeArgs)));
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            operation.observe(result);
            operation.end();
            return undefined;
          }
          // @defer / @stream: the operation lasts until the last payload.
          return {
            onNext: ({ result: payload }) => operation.observe(payload),
            onEnd: () => operation.end(),
          };
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const operation = startOperationSpan(tracer, args.document, args.operationName);
      setSubscribeFn((subscribeArgs) => within(operation, () => subscribeFn(subscribeArgs)));
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable<ExecutionResult>(result)) {
            setResult(traceStream(result, operation));
            return;
          }
          operation.observe(result);
          operation.end();
        },
      };
    },
  };
}
