import { GraphQLError } from 'graphql';
import { HTTP_STATUS_BY_CODE, isGatewayError, type GatewayError } from './gateway-error.js';

/** Codes whose HTTP status we set when they end a request over HTTP. */
const STATUS_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'STORE_UNAVAILABLE']);
/** Request-level errors (syntax, validation, variables) that are the caller's to fix. */
const REQUEST_CODES = new Set([undefined, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST']);

function gatewayErrorIn(error: unknown): GatewayError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isGatewayError(current)) return current;
    current = current instanceof GraphQLError ? current.originalError : undefined;
  }
  return undefined;
}

/** The stable code an error will carry once masked (for logs and metrics that run before masking). */
export function errorCodeOf(error: GraphQLError): string {
  const code = gatewayErrorIn(error)?.code ?? error.extensions?.code;
  if (typeof code === 'string') return code;
  return error.originalError && !(error.originalError instanceof GraphQLError) ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT';
}

function extensionsFor(error: GatewayError): Record<string, unknown> {
  const extensions: Record<string, unknown> = { ...error.details, code: error.code };
  if (STATUS_CODES.has(error.code)) {
    const retryAfter = error.details.retryAfterSeconds;
    extensions.http = {
      status: HTTP_STATUS_BY_CODE[error.code],
      ...(typeof retryAfter === 'number' ? { headers: { 'retry-after': String(retryAfter) } } : {}),
    };
  }
  return extensions;
}

/**
 * Yoga's `maskError`: gateway errors keep their message and get their stable
 * `extensions.code`; request errors get BAD_USER_INPUT; anything else is masked
 * as INTERNAL_SERVER_ERROR (and logged by Yoga). Known errors are enriched in
 * place, so Yoga does not log them as failures.
 */
export function maskGatewayError(error: unknown, message: string): Error {
  const known = gatewayErrorIn(error);
  if (known && error instanceof GraphQLError) {
    Object.assign(error.extensions as Record<string, unknown>, extensionsFor(known));
    return error;
  }
  if (known) return new GraphQLError(known.message, { originalError: known, extensions: extensionsFor(known) });
  if (error instanceof GraphQLError && !error.originalError) {
    const extensions = error.extensions as Record<string, unknown>;
    if (REQUEST_CODES.has(extensions.code as string | undefined)) extensions.code = 'BAD_USER_INPUT';
    return error;
  }
  if (error instanceof GraphQLError && error.originalError instanceof GraphQLError && !error.originalError.originalError) {
    return error;
  }
  return new GraphQLError(message, {
    ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

/**
 * Gives a syntax error what Yoga's HTTP parse hook gives it (its code, HTTP 400), also when it is
 * met outside Yoga's HTTP handling (graphql-ws, the fast lane), so every transport answers it alike.
 */
export function markParseError(error: unknown): void {
  if (!(error instanceof GraphQLError)) return;
  const extensions = error.extensions as Record<string, unknown>;
  extensions.code ??= 'GRAPHQL_PARSE_FAILED';
  const http = (extensions.http ??= {}) as { spec?: boolean; status?: number };
  http.spec ??= true;
  http.status ??= 400;
}

/** The error without the extensions that only steer an HTTP response (`http`, `unexpected`), for websocket clients. */
export function withoutHttpExtensions(error: GraphQLError): GraphQLError {
  const { http, unexpected, ...extensions } = error.extensions as Record<string, unknown>;
  if (http === undefined && unexpected === undefined) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions,
  });
}

/** Marks errors that rejected the whole request (no `path`: syntax, validation, variables) as BAD_USER_INPUT. */
export function markRequestErrors<T>(result: T): T {
  const errors = (result as { errors?: readonly unknown[] } | null)?.errors;
  if (!Array.isArray(errors)) return result;
  for (const error of errors as { path?: unknown; extensions?: Record<string, unknown> }[]) {
    if (!error || error.path !== undefined) continue;
    const extensions = (error.extensions ??= {});
    if (REQUEST_CODES.has(extensions.code as string | undefined)) extensions.code = 'BAD_USER_INPUT';
  }
  return result;
}
