import { GatewayError } from '../errors/gateway-error.js';
import type { Catalog } from '../routing/catalog.js';
import { sendJson } from './http-io.js';
import type { RestContext } from './rest-context.js';

const STARTED = Math.floor(Date.now() / 1000);

type ModelObject = { id: string; object: 'model'; created: number; owned_by: string };

/** Chat and embedding models, then routes, as OpenAI `model` objects. */
function modelObjects(catalog: Pick<Catalog, 'models' | 'routes'>): ModelObject[] {
  const models = catalog.models
    .filter((model) => model.capabilities.includes('chat') || model.capabilities.includes('embeddings'))
    .map((model) => ({ id: model.id, object: 'model' as const, created: STARTED, owned_by: model.provider }));
  const routes = catalog.routes.map((route) => ({ id: route.id, object: 'model' as const, created: STARTED, owned_by: 'switchboard' }));
  return [...models, ...routes];
}

/** GET /v1/models: chat and embedding models, then routes. */
export function listModels(context: RestContext): void {
  sendJson(context.res, 200, { object: 'list', data: modelObjects(context.services.catalog) }, { 'x-request-id': context.requestId });
}

/** GET /v1/models/{id}: ids contain `/` (`local/echo`), sent encoded (`local%2Fecho`) or not. */
export function retrieveModel(context: RestContext, id: string): void {
  const model = modelObjects(context.services.catalog).find((candidate) => candidate.id === id);
  if (!model) throw new GatewayError('MODEL_NOT_FOUND', `The model "${id.slice(0, 200)}" does not exist.`, { details: { model: id.slice(0, 200), param: 'model' } });
  sendJson(context.res, 200, model, { 'x-request-id': context.requestId });
}
