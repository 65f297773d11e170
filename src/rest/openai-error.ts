import { HTTP_STATUS_BY_CODE, isGatewayError, type ErrorCode, type GatewayError } from '../errors/gateway-error.js';

/** The body OpenAI clients expect for an error. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export interface OpenAIError {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

const SHAPE_BY_CODE: Readonly<Record<ErrorCode, { type: string; code: string }>> = {
  UNAUTHENTICATED: { type: 'authentication_error', code: 'invalid_api_key' },
  FORBIDDEN: { type: 'permission_error', code: 'permission_denied' },
  BAD_USER_INPUT: { type: 'invalid_request_error', code: 'invalid_request' },
  PAYLOAD_TOO_LARGE: { type: 'invalid_request_error', code: 'payload_too_large' },
  MODEL_NOT_FOUND: { type: 'invalid_request_error', code: 'model_not_found' },
  RATE_LIMITED: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  BUDGET_EXCEEDED: { type: 'insufficient_quota', code: 'insufficient_quota' },
  UPSTREAM_REJECTED: { type: 'api_error', code: 'upstream_rejected' },
  UPSTREAM_UNAVAILABLE: { type: 'api_error', code: 'upstream_unavailable' },
  UPSTREAM_TIMEOUT: { type: 'api_error', code: 'upstream_timeout' },
  SHUTTING_DOWN: { type: 'api_error', code: 'shutting_down' },
  STORE_UNAVAILABLE: { type: 'api_error', code: 'store_unavailable' },
  FEATURE_DISABLED: { type: 'invalid_request_error', code: 'feature_disabled' },
  INTERNAL_SERVER_ERROR: { type: 'api_error', code: 'internal_error' },
};

/** Upstream statuses that mean the client's own request is wrong: relayed as they are. */
const CLIENT_MISTAKES = new Set([400, 404, 409, 413, 422]);

const MASKED = 'The gateway failed unexpectedly. Quote the x-request-id when reporting it.';

/**
 * An upstream refusal keeps its class: the client's mistake (400/404/422…) is
 * the same 4xx; a refused provider key (401/403) is the gateway's fault, a 502
 * that SDKs must not retry (`x-should-retry: false`), since it cannot succeed.
 */
function rejectionShape(error: GatewayError): Pick<OpenAIError, 'status' | 'headers'> & { type: string } {
  const upstream = Number(error.details.upstreamStatus);
  if (CLIENT_MISTAKES.has(upstream)) return { status: upstream, headers: {}, type: 'invalid_request_error' };
  return { status: 502, headers: { 'x-should-retry': 'false' }, type: 'api_error' };
}

/**
 * Any error as OpenAI would send it. Only GatewayError messages reach the
 * caller; anything else is masked as a 500 (never a stack or a secret).
 * `param` names the offending request parameter when the error knows it.
 */
export function toOpenAIError(error: unknown): OpenAIError {
  const known = isGatewayError(error);
  const code: ErrorCode = known ? error.code : 'INTERNAL_SERVER_ERROR';
  const shape = SHAPE_BY_CODE[code];
  let status = HTTP_STATUS_BY_CODE[code];
  let type = shape.type;
  const headers: Record<string, string> = {};
  if (known && code === 'RATE_LIMITED') {
    const seconds = Number(error.details.retryAfterSeconds);
    if (Number.isFinite(seconds) && seconds >= 0) {
      headers['retry-after'] = String(Math.ceil(seconds));
      headers['retry-after-ms'] = String(Math.round(seconds * 1000));
    }
  }
  if (known && code === 'UPSTREAM_REJECTED') {
    const rejection = rejectionShape(error);
    ({ status, type } = rejection);
    Object.assign(headers, rejection.headers);
  }
  const param = known && typeof error.details.param === 'string' ? error.details.param : null;
  return {
    status,
    body: { error: { message: known ? error.message : MASKED, type, code: shape.code, param } },
    headers,
  };
}
