import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import { requestIdFrom } from '../plugins/use-request-id.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { RestHandler } from '../rest/create-rest-handler.js';
import { sendJson } from '../rest/http-io.js';
import { toOpenAIError } from '../rest/openai-error.js';
import { answerPreflight, corsHeadersFor, setCorsHeaders } from './cors.js';
import { BODY_ABORTED, BodyReadError, hasBody, readBody } from './read-body.js';

/** What the gateway's node request handler dispatches to. */
export interface HttpHandlerOptions {
  server: Pick<ServerConfig, 'cors' | 'maxBodyBytes' | 'requestTimeoutMs'>;
  /** The OpenAI-compatible surface (`/v1/…`): it reads its own bodies, after authentication, with the same reader. */
  rest: RestHandler;
  /**
   * A GraphQL request whose body has been read, bounded and decoded, with the CORS headers its
   * answer must carry (not yet set on `res`: an answer that passes them to `writeHead` spares Node
   * a header table kept for the response's life, ~0.7 KB per open stream).
   */
  graphql: (req: IncomingMessage, res: ServerResponse, body: Buffer, cors: Readonly<Record<string, string>>) => void;
  /** Requests without a body (GET, probes, /metrics, GraphiQL): Yoga's node handler. */
  withoutBody: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** True while draining: probes still answer (`/readyz` with 503), new work is refused with 503. */
  draining: () => boolean;
  logger: Logger;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string, requestId: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { ...extra, code, requestId } }] });
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'x-request-id': requestId });
  res.end(text);
}

/**
 * The gateway's node request handler, the one door for every HTTP request: CORS headers from
 * `server.cors` on every answer (and preflights answered here), `/v1` to the REST surface, and
 * for GraphQL one body reader for every media type and transfer encoding — the body is read
 * (within `maxBodyBytes` and `requestTimeoutMs`) before Yoga or the fast lane sees it.
 */
export function createHttpHandler(options: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { server } = options;
  const limits = { maxBodyBytes: server.maxBodyBytes, requestTimeoutMs: server.requestTimeoutMs };

  function refuseBody(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (error === BODY_ABORTED || res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const requestId = requestIdFrom(req.headers['x-request-id']);
    if (error instanceof BodyReadError) {
      // The rest of the body is not read: close the connection after the answer.
      sendGraphQLError(res, error.status, error.code, error.message, requestId, { ...error.details }, { connection: 'close' });
      return;
    }
    options.logger.error({ err: error, requestId }, 'reading a request body failed');
    sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.', requestId, {}, { connection: 'close' });
  }

  return (req, res) => {
    const cors = corsHeadersFor(server.cors, req.headers.origin);
    if (req.method === 'OPTIONS') return answerPreflight(server.cors, cors, req, res);
    const url = req.url ?? '/';
    // Every answer but a GraphQL operation's, which passes them to writeHead itself.
    if (url.startsWith('/v1/') || !hasBody(req) || options.draining()) setCorsHeaders(res, cors);
    if (options.draining() && !PROBES.has(url.split('?')[0] as string)) {
      const requestId = requestIdFrom(req.headers['x-request-id']);
      if (url.startsWith('/v1/')) {
        const shaped = toOpenAIError(new GatewayError('SHUTTING_DOWN', 'The gateway is shutting down; retry on another instance.'));
        sendJson(res, shaped.status, shaped.body, { connection: 'close', 'retry-after': '1', 'x-request-id': requestId });
        return;
      }
      sendGraphQLError(res, 503, 'SHUTTING_DOWN', 'The gateway is shutting down; retry on another instance.', requestId, {}, { connection: 'close', 'retry-after': '1' });
      return;
    }
    if (url.startsWith('/v1/')) {
      options.rest.handle(req, res);
      return;
    }
    if (!hasBody(req)) {
      options.withoutBody(req, res);
      return;
    }
    readBody(req, limits).then(
      (body) => options.graphql(req, res, body, cors),
      (error: unknown) => {
        setCorsHeaders(res, cors);
        refuseBody(req, res, error);
      },
    );
  };
}
