import { GraphQLError } from 'graphql';
import type { Logger } from '../create-logger.js';
import type { LogThrottle } from '../create-log-throttle.js';
import { isGatewayError, type ErrorCode } from './gateway-error.js';

/**
 * Who an error is about: `gone` (the client left: an abort), `refused` (the caller's doing: a bad
 * credential, a limit, bad input — logged below `error`, rate-limited), or `fault` (the gateway's
 * own, or its dependencies': logged at `error` with its stack).
 */
export type FailureKind = 'gone' | 'refused' | 'fault';

/** Codes that are the caller's doing, never the gateway's fault. */
export const CALLER_CODES: ReadonlySet<string> = new Set<ErrorCode | 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'PAYLOAD_TOO_LARGE',
  'MODEL_NOT_FOUND',
  'RATE_LIMITED',
  'BUDGET_EXCEEDED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
]);

/** Classifies an error (following GraphQLError.originalError and `cause` a few levels down), with its code when it has one. */
export function classifyFailure(error: unknown): { kind: FailureKind; code?: string } {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.name === 'AbortError') return { kind: 'gone' };
    if (isGatewayError(current)) return { kind: CALLER_CODES.has(current.code) ? 'refused' : 'fault', code: current.code };
    current = current instanceof GraphQLError ? current.originalError : current instanceof Error ? current.cause : undefined;
  }
  return { kind: 'fault' };
}

/** The one line for a failure: a fault at `error` with its stack; a refusal or a client gone below it, without stack, rate-limited. */
export function logFailure(logger: Logger, throttle: LogThrottle, error: unknown, fields: Record<string, unknown>, message: string): void {
  const { kind, code } = classifyFailure(error);
  if (kind === 'fault') logger.error({ ...fields, err: error }, message);
  else if (kind === 'gone') throttle.log('debug', 'client-gone', fields, 'the client went away');
  else throttle.log('info', `refused:${code ?? 'unknown'}`, { ...fields, code, reason: error instanceof Error ? error.message : String(error) }, 'request refused');
}
