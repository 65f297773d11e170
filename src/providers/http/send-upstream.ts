import { request, type Dispatcher } from 'undici';
import { ProviderError } from '../provider-error.js';
import { errorFromResponse } from './error-from-response.js';

/** What adapters need to reach their upstream; built once by the composition root. */
export interface UpstreamTransport {
  /** A pooled, keep-alive HTTP dispatcher shared by the providers. */
  dispatcher: Dispatcher;
}

export interface UpstreamCall {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
}

/** A successful (2xx) upstream answer whose body is still to be read. */
export type UpstreamResponse = Dispatcher.ResponseData;

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function errorCodeOf(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Maps a transport failure (not an HTTP status) to a ProviderError; aborts pass through. */
export function transportError(provider: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof ProviderError) return error;
  const code = errorCodeOf(error) ?? errorCodeOf((error as { cause?: unknown } | undefined)?.cause);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ProviderError('UPSTREAM_TIMEOUT', `Provider "${provider}" did not answer in time.`, {
      provider,
      retryable: true,
      cause: error,
    });
  }
  const reason = code && NETWORK_ERROR_CODES.has(code) ? ` (${code})` : '';
  return new ProviderError('UPSTREAM_UNAVAILABLE', `Could not reach provider "${provider}"${reason}.`, {
    provider,
    retryable: true,
    cause: error,
  });
}

/**
 * POSTs JSON to an upstream and resolves with a 2xx response, or rejects with a
 * ProviderError (HTTP error, network failure) or the abort reason.
 */
export async function sendUpstream(transport: UpstreamTransport, call: UpstreamCall): Promise<UpstreamResponse> {
  let response: UpstreamResponse;
  try {
    response = await request(call.url, {
      method: 'POST',
      headers: call.headers,
      body: JSON.stringify(call.body),
      signal: call.signal,
      dispatcher: transport.dispatcher,
    });
  } catch (error: unknown) {
    throw transportError(call.provider, error, call.signal);
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response;
  let text = '';
  try {
    text = await response.body.text();
  } catch (error: unknown) {
    if (call.signal.aborted) throw call.signal.reason ?? error;
  }
  throw errorFromResponse(call.provider, response.statusCode, response.headers, text);
}

/** Reads a 2xx JSON body; a body that is not JSON is the upstream's fault. */
export async function readJson(provider: string, response: UpstreamResponse, signal: AbortSignal): Promise<unknown> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error: unknown) {
    throw transportError(provider, error, signal);
  }
  try {
    return JSON.parse(text);
  } catch (error: unknown) {
    throw malformedError(provider, 'a response body that is not JSON', error);
  }
}

/** The upstream reported an error inside a 2xx answer (an SSE error event, an `error` body). */
export function inBandError(provider: string, message: string | undefined): ProviderError {
  return new ProviderError('UPSTREAM_UNAVAILABLE', `Provider "${provider}" failed mid-answer: ${(message ?? 'an error').slice(0, 300)}`, {
    provider,
    retryable: true,
  });
}

/** The upstream sent something that does not follow its own wire format. */
export function malformedError(provider: string, what: string, cause?: unknown): ProviderError {
  return new ProviderError('UPSTREAM_UNAVAILABLE', `Provider "${provider}" sent ${what}.`, {
    provider,
    retryable: true,
    cause,
  });
}
