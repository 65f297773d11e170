import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CALLER_CODES, classifyFailure } from '../errors/classify-failure.js';
import type { Logger } from '../create-logger.js';
import type { LogThrottle } from '../create-log-throttle.js';
import { errorCodeOf } from '../errors/mask-gateway-error.js';
import { onStreamError } from '../execution/event-hooks.js';

interface OperationArgs {
  document: DocumentNode;
  operationName?: string | null | undefined;
  contextValue: unknown;
}

function describe(args: OperationArgs) {
  const operation = getOperationAST(args.document, args.operationName);
  const requestId = (args.contextValue as { requestId?: string } | undefined)?.requestId ?? null;
  return { requestId, operation: operation?.name?.value ?? null, type: operation?.operation ?? null };
}

function errorSummary(errors: readonly GraphQLError[]) {
  return errors.map((error) => ({ code: errorCodeOf(error), path: error.path?.join('.') }));
}

/**
 * One log line per operation, tagged with the request id: failures at `warn`
 * (codes and paths, never variables, which may hold prompts), successes at `debug`.
 * With a throttle, failures the caller caused (refusals, bad input, a client that left) go
 * through it instead: `info`/`debug`, at most so many per interval; without one, a client
 * that left is not logged.
 * Nothing is built when the level is off.
 */
export function useOperationLog(logger: Logger, throttle?: LogThrottle): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          if (result.errors?.length) {
            // A client that left cancels its call: nobody reads the error, and it is no failure of ours.
            if (result.errors.every((error) => classifyFailure(error).kind === 'gone')) {
              if (throttle) throttle.log('debug', 'client-gone', describe(args), 'the client went away');
              return;
            }
            const errors = errorSummary(result.errors);
            const fields = { ...describe(args), durationMs: performance.now() - started, errors };
            // What callers cause (refusals, bad input) is theirs to fix: info, rate-limited. The rest is worth a warning.
            if (throttle && errors.every((error) => CALLER_CODES.has(error.code))) throttle.log('info', 'operation-refused', fields, 'operation failed');
            else logger.warn(fields, 'operation failed');
          } else if (logger.isLevelEnabled('debug')) {
            logger.debug({ ...describe(args), durationMs: performance.now() - started }, 'operation done');
          }
        },
      };
    },
    onSubscribe({ args }) {
      if (logger.isLevelEnabled('debug')) logger.debug(describe(args), 'subscription started');
      const failed = (error: unknown): unknown => {
        const fields = { ...describe(args), err: error instanceof Error ? error.message : String(error) };
        const { kind } = classifyFailure(error);
        if (throttle && kind === 'gone') throttle.log('debug', 'subscription-gone', fields, 'subscription ended: the client went away');
        else if (throttle && kind === 'refused') throttle.log('info', 'subscription-refused', fields, 'subscription failed');
        else logger.warn(fields, 'subscription failed');
        return error;
      };
      return {
        onSubscribeResult({ result, setResult }) {
          onStreamError(result, failed, setResult);
        },
      };
    },
  };
}
