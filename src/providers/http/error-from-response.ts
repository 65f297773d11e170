import type { ErrorCode } from '../../errors/gateway-error.js';
import { ProviderError } from '../provider-error.js';
import { parseRetryAfter } from './parse-retry-after.js';

const REJECTED_STATUSES = new Set([400, 401, 403, 404, 409, 413, 422]);
const MAX_UPSTREAM_MESSAGE = 300;

/** Pulls a human message out of the error bodies providers send (OpenAI, Anthropic, Gemini). */
function upstreamMessage(bodyText: string): string | undefined {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (body && typeof body === 'object' && 'error' in body) {
      const error = (body as { error: unknown }).error;
      if (typeof error === 'string') return error;
      if (error && typeof error === 'object' && 'message' in error) {
        const message = (error as { message: unknown }).message;
        if (typeof message === 'string') return message;
      }
    }
  } catch {
    // Not JSON: an HTML error page from a proxy, say. Its text is not worth relaying.
  }
  return undefined;
}

/**
 * Turns a non-2xx upstream answer into a ProviderError. Credentials failures
 * never relay the upstream text: some providers echo part of the key in it.
 */
export function errorFromResponse(
  provider: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
): ProviderError {
  const retryAfterMs = parseRetryAfter(headers);
  if (status === 401 || status === 403) {
    return new ProviderError(
      'UPSTREAM_REJECTED',
      `Provider "${provider}" refused the gateway's credentials (HTTP ${status}). Check the provider's API key in the gateway config.`,
      { provider, status, retryable: false },
    );
  }
  const detail = upstreamMessage(bodyText)?.slice(0, MAX_UPSTREAM_MESSAGE);
  const suffix = detail ? `: ${detail}` : '.';
  if (status === 429) {
    return new ProviderError('RATE_LIMITED', `Provider "${provider}" is rate limiting the gateway (HTTP 429)${suffix}`, {
      provider,
      status,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408) {
    return new ProviderError('UPSTREAM_TIMEOUT', `Provider "${provider}" timed out (HTTP 408)${suffix}`, {
      provider,
      status,
      retryable: true,
    });
  }
  if (REJECTED_STATUSES.has(status) || (status >= 400 && status < 500)) {
    return new ProviderError('UPSTREAM_REJECTED', `Provider "${provider}" rejected the request (HTTP ${status})${suffix}`, {
      provider,
      status,
      retryable: false,
    });
  }
  const code: ErrorCode = status === 504 ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE';
  return new ProviderError(code, `Provider "${provider}" is unavailable (HTTP ${status})${suffix}`, {
    provider,
    status,
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
