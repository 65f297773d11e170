import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from '../config/config-schema.js';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
/** Response headers a browser script may read: what clients need to retry and to report. */
const EXPOSED_HEADERS = 'retry-after, retry-after-ms, x-request-id, x-should-retry';
/** A list of header names (RFC 9110 tokens), as a browser sends in Access-Control-Request-Headers. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

const ANY_ORIGIN: Readonly<Record<string, string>> = Object.freeze({ 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS });

/**
 * The CORS response headers for a request from `origin`, the same for `/graphql`, `/v1` and
 * `/metrics`. With `origins: '*'` any page may call, without credentials (the literal `*` is sent,
 * never the caller's Origin reflected). With a list, only a listed origin is named, and only then
 * may `allow-credentials` be sent; the opaque origin `null` never matches (sandboxed frames and
 * `file:` pages all share it).
 */
export function corsHeadersFor(cors: CorsConfig, origin: string | undefined): Readonly<Record<string, string>> {
  if (cors.origins === '*') return ANY_ORIGIN;
  // The answer depends on the Origin: caches must keep one per origin.
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin === undefined || origin === 'null' || !cors.origins.includes(origin)) return headers;
  headers['access-control-allow-origin'] = origin;
  headers['access-control-expose-headers'] = EXPOSED_HEADERS;
  if (cors.credentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/** Sets `headers` (the CORS headers of `corsHeadersFor`) on a response written by code that does not take them itself. */
export function setCorsHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name] as string);
}

/**
 * Answers a preflight (`OPTIONS`) with 204: the methods the gateway serves and the headers the
 * page asked for (any header is harmless once the origin is allowed; the origin is the gate).
 */
export function answerPreflight(cors: CorsConfig, headers: Readonly<Record<string, string>>, req: IncomingMessage, res: ServerResponse): void {
  const asked = req.headers['access-control-request-headers'];
  const allowed = 'access-control-allow-origin' in headers;
  const preflight: Record<string, string> = { ...headers, allow: ALLOWED_METHODS, 'content-length': '0', vary: headers.vary ? 'Origin, Access-Control-Request-Headers' : 'Access-Control-Request-Headers' };
  if (allowed) {
    preflight['access-control-allow-methods'] = ALLOWED_METHODS;
    preflight['access-control-max-age'] = String(cors.maxAgeSeconds);
    if (asked !== undefined && HEADER_LIST.test(asked)) preflight['access-control-allow-headers'] = asked;
  }
  res.writeHead(204, preflight);
  res.end();
}
