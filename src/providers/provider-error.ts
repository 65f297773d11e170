import { GatewayError, type ErrorCode } from '../errors/gateway-error.js';

/** What an upstream failure means for routing: whether another try may succeed. */
export interface ProviderErrorInit {
  /** The provider id (never the key or URL). */
  provider: string;
  /** Upstream HTTP status, when the upstream answered. */
  status?: number;
  /** True when the same request may succeed on a retry or another target. */
  retryable: boolean;
  /** The upstream's requested wait (Retry-After / retry-after-ms), in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A provider call failed. Adapters turn HTTP statuses, network errors, malformed
 * payloads and in-band error events into this one type; routing reads `retryable`.
 */
export class ProviderError extends GatewayError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, init: ProviderErrorInit) {
    const details: Record<string, unknown> = { provider: init.provider };
    if (init.status !== undefined) details.upstreamStatus = init.status;
    if (init.retryAfterMs !== undefined) details.retryAfterSeconds = Math.ceil(init.retryAfterMs / 1000);
    super(code, message, { details, cause: init.cause });
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.status = init.status;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** True for provider failures. */
export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
