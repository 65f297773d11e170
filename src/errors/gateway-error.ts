/** Stable error codes: the `extensions.code` a client can switch on. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'PAYLOAD_TOO_LARGE',
  'MODEL_NOT_FOUND',
  'RATE_LIMITED',
  'BUDGET_EXCEEDED',
  'UPSTREAM_REJECTED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'SHUTTING_DOWN',
  'STORE_UNAVAILABLE',
  'FEATURE_DISABLED',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status a code maps to when it ends a request on its own. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  MODEL_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 402,
  UPSTREAM_REJECTED: 502,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  SHUTTING_DOWN: 503,
  STORE_UNAVAILABLE: 503,
  FEATURE_DISABLED: 501,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * An error whose message is safe to show to the caller. Anything that is not a
 * GatewayError is masked as INTERNAL_SERVER_ERROR before it leaves the server.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  /** Extra, caller-safe fields merged into `extensions`. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.details = options?.details ?? {};
  }
}

/** True for errors whose message may be shown to the caller. */
export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}
