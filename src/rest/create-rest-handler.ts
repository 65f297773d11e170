import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/create-authenticator.js';
import type { Scope } from '../config/config-schema.js';
import { classifyFailure } from '../errors/classify-failure.js';
import type { Logger } from '../create-logger.js';
import { GatewayError } from '../errors/gateway-error.js';
import { BODY_ABORTED, BodyReadError } from '../server/read-body.js';
import { chatCompletions } from './chat-completions.js';
import { createEmbeddings } from './embeddings.js';
import { headerOf, sendJson } from './http-io.js';
import { listModels, retrieveModel } from './models.js';
import { toOpenAIError } from './openai-error.js';
import type { RestContext } from './rest-context.js';
import { createResponse } from './responses/create-response.js';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface Route {
  method: 'GET' | 'POST';
  scope: Scope;
  what: string;
  run(context: RestContext): Promise<void> | void;
}

const ROUTES: Readonly<Record<string, Route>> = {
  '/v1/chat/completions': { method: 'POST', scope: 'chat', what: 'chat completions', run: chatCompletions },
  '/v1/embeddings': { method: 'POST', scope: 'embed', what: 'embeddings', run: createEmbeddings },
  '/v1/models': { method: 'GET', scope: 'models', what: 'the model list', run: listModels },
  '/v1/responses': { method: 'POST', scope: 'chat', what: 'responses', run: createResponse },
};

const MODEL_PREFIX = '/v1/models/';

/** The route of a path; `/v1/models/{id}` takes the rest of the path as the id (ids contain `/`). */
function routeOf(path: string): Route | undefined {
  const trimmed = path.replace(/\/+$/, '');
  const exact = ROUTES[trimmed];
  if (exact || !trimmed.startsWith(MODEL_PREFIX)) return exact;
  let id: string;
  try {
    id = decodeURIComponent(trimmed.slice(MODEL_PREFIX.length));
  } catch {
    return undefined;
  }
  return { method: 'GET', scope: 'models', what: 'the model list', run: (context) => retrieveModel(context, id) };
}

export interface RestHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** The OpenAI-compatible surface under /v1, on the graph's services, auth and limits. */
export function createRestHandler(options: {
  services: RestContext['services'];
  authenticator: Authenticator;
  maxBodyBytes: number;
  /** How long a request body may take to arrive, in milliseconds. @default 0 (node's timeout only) */
  requestTimeoutMs?: number;
  logger: Logger;
}): RestHandler {
  const logger = options.logger.child({ component: 'rest' });

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    const route = routeOf(path);
    if (!route) {
      sendJson(res, 404, { error: { message: `Unknown path ${path}.`, type: 'invalid_request_error', code: 'unknown_url', param: null } }, { 'x-request-id': requestId });
      return;
    }
    if (req.method !== route.method) {
      sendJson(res, 405, { error: { message: `Use ${route.method} ${path}.`, type: 'invalid_request_error', code: 'method_not_allowed', param: null } }, { 'x-request-id': requestId, allow: route.method });
      return;
    }
    // The same credential rules as the graph: Authorization: Bearer, or x-api-key.
    const principal = await options.authenticator.authenticate(headerOf(req, 'authorization') || headerOf(req, 'x-api-key') || undefined);
    if (!principal.scopes.has(route.scope)) {
      throw new GatewayError('FORBIDDEN', `This ${principal.kind === 'jwt' ? 'token' : 'key'} may not use ${route.what}: it lacks the "${route.scope}" scope.`);
    }
    await route.run({ req, res, principal, requestId, services: options.services, maxBodyBytes: options.maxBodyBytes, requestTimeoutMs: options.requestTimeoutMs ?? 0, logger });
  }

  return {
    handle(req, res) {
      const incoming = headerOf(req, 'x-request-id');
      const requestId = incoming && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
      serve(req, res, requestId).catch((error: unknown) => {
        // The client left mid-body: nobody to answer, nothing to log.
        if (error === BODY_ABORTED) {
          res.destroy();
          return;
        }
        const shaped = toOpenAIError(error);
        if (shaped.body.error.code === 'internal_error' && classifyFailure(error).kind === 'fault') logger.error({ err: error, requestId }, 'REST request failed');
        if (res.headersSent) {
          res.end();
          return;
        }
        // A refused body is not drained: close the connection instead.
        const refusedBody = error instanceof BodyReadError;
        if (refusedBody) res.setHeader('connection', 'close');
        sendJson(res, refusedBody ? error.status : shaped.status, shaped.body, { ...shaped.headers, 'x-request-id': requestId });
      });
    },
  };
}
