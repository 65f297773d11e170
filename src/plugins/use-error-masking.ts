import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { onEveryEvent, onStreamError, type ErrorHook, type EventHook } from '../execution/event-hooks.js';

/** What Yoga needs to mask errors (its `maskedErrorsOpts`, also used for request-level errors). */
export interface MaskingOptions {
  errorMessage: string;
  maskError: (error: unknown, message: string) => Error;
}

/**
 * Yoga's masking function around ours: each error masked once, and one that had to be
 * masked (not the caller's, not ours) logged, as Yoga's own wrapper does.
 */
export function createMasking(mask: (error: unknown, message: string) => Error, logUnexpected: (error: unknown) => void): MaskingOptions {
  const masked = new WeakSet<object>();
  return {
    errorMessage: 'Unexpected error.',
    maskError(error, message) {
      if (typeof error === 'object' && error !== null && masked.has(error)) return error as Error;
      const result = mask(error, message);
      if (result !== error) logUnexpected(error);
      masked.add(result);
      return result;
    },
  };
}

/** Yoga's test for an aborted request, whose error is rethrown as is. */
function isAbortError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (error as object | null)?.constructor?.name === 'DOMException' && (name === 'AbortError' || name === 'TimeoutError');
}

/**
 * Masks operation errors as Yoga's `maskedErrors` plugins do (context errors, results,
 * each streamed event, a stream that throws; aborts left alone), but the events of a
 * compiled subscription are masked inside it (see onEveryEvent), without envelop's
 * wrapper per event. Yoga is given `maskedErrors: false`, and these options (at
 * `onYogaInit`) for the errors of its own request pipeline.
 */
export function useErrorMasking(options: MaskingOptions): Plugin {
  const { maskError, errorMessage } = options;
  const maskResult: EventHook = (result: ExecutionResult) => {
    if (result.errors == null) return undefined;
    return { ...result, errors: result.errors.map((error) => maskError(error, errorMessage) as GraphQLError) };
  };
  /** The error a stream fails with (an abort passes as it is). */
  const maskStreamError: ErrorHook = (error) => (isAbortError(error) ? error : maskError(error, errorMessage));
  /** A single result is masked at once; a stream, event by event. */
  const onResult = (result: ExecutionResult | AsyncIterable<ExecutionResult>, setResult: (result: ExecutionResult) => void) => {
    if (Symbol.asyncIterator in result) return onEveryEvent(result, maskResult);
    const masked = maskResult(result);
    if (masked) setResult(masked);
    return undefined;
  };
  return {
    onYogaInit({ yoga }) {
      // What `maskedErrors` would have set (Yoga keeps it private): its request pipeline's errors
      // masked too. Checked, so a Yoga that renames the field fails at startup instead of leaking messages.
      const internals = yoga as unknown as { maskedErrorsOpts?: MaskingOptions | null };
      if (!('maskedErrorsOpts' in internals)) throw new Error('graphql-yoga no longer has maskedErrorsOpts: request errors would go unmasked');
      internals.maskedErrorsOpts = options;
    },
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ error, setError }) => setError(maskError(error, errorMessage)));
    },
    onExecute() {
      return {
        onExecuteDone: ({ result, setResult }) => onResult(result, setResult),
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult: ({ result, setResult }) => {
          onStreamError(result, maskStreamError, setResult);
          return onResult(result, setResult);
        },
      };
    },
  };
}
