import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../create-logger.js';
import { errorCodeOf } from './use-error-codes.js';

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
 * Nothing is built when the level is off.
 */
export function useOperationLog(logger: Logger): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          if (result.errors?.length) {
            logger.warn({ ...describe(args), durationMs: performance.now() - started, errors: errorSummary(result.errors) }, 'operation failed');
          } else if (logger.isLevelEnabled('debug')) {
            logger.debug({ ...describe(args), durationMs: performance.now() - started }, 'operation done');
          }
        },
      };
    },
    onSubscribe({ args }) {
      if (logger.isLevelEnabled('debug')) logger.debug(describe(args), 'subscription started');
      return {
        onSubscribeError({ error }) {
          logger.warn({ ...describe(args), err: error instanceof Error ? error.message : String(error) }, 'subscription failed');
        },
      };
    },
  };
}
