import { sendJson } from './http-io.js';
import type { RestContext } from './rest-context.js';

const STARTED = Math.floor(Date.now() / 1000);

/** GET /v1/models: chat and embedding models, then routes. */
export function listModels(context: RestContext): void {
  const { catalog } = context.services;
  const models = catalog.models
    .filter((model) => model.capabilities.includes('chat') || model.capabilities.includes('embeddings'))
    .map((model) => ({ id: model.id, object: 'model' as const, created: STARTED, owned_by: model.provider }));
  const routes = catalog.routes.map((route) => ({ id: route.id, object: 'model' as const, created: STARTED, owned_by: 'switchboard' }));
  sendJson(context.res, 200, { object: 'list', data: [...models, ...routes] }, { 'x-request-id': context.requestId });
}
