import type { GatewayConfig, ModelCapability, ModelConfig, ProviderConfig, RouteConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Provider } from '../providers/contract.js';

/** One concrete place a request can go: a configured model on a live provider. */
export interface Target {
  model: ModelConfig;
  provider: Provider;
  weight: number;
}

/** The models, routes and providers the gateway serves, indexed once at start-up. */
export interface Catalog {
  readonly models: readonly ModelConfig[];
  readonly routes: readonly RouteConfig[];
  readonly providers: readonly ProviderConfig[];
  model(id: string): ModelConfig | undefined;
  route(id: string): RouteConfig | undefined;
  provider(id: string): ProviderConfig | undefined;
  /**
   * The targets for a model or route id that have `capability`, in route order.
   * Throws MODEL_NOT_FOUND for an unknown id and BAD_USER_INPUT when no target can serve it.
   */
  resolve(id: string, capability: ModelCapability): Target[];
}

export function createCatalog(config: GatewayConfig, providers: ReadonlyMap<string, Provider>): Catalog {
  const models = new Map(config.models.map((model) => [model.id, model]));
  const routes = new Map(config.routes.map((route) => [route.id, route]));
  const providerConfigs = new Map(config.providers.map((provider) => [provider.id, provider]));
  // Resolution is on the hot path: compute each id's target list once per capability.
  const resolved = new Map<string, Target[]>();

  function targetFor(model: ModelConfig, weight: number): Target {
    const provider = providers.get(model.provider);
    if (!provider) throw new Error(`provider "${model.provider}" of model "${model.id}" was not created`);
    return { model, provider, weight };
  }

  function compute(id: string, capability: ModelCapability): Target[] {
    const route = routes.get(id);
    const candidates = route
      ? route.targets.map((target) => targetFor(models.get(target.model) as ModelConfig, target.weight))
      : models.has(id)
        ? [targetFor(models.get(id) as ModelConfig, 1)]
        : undefined;
    if (!candidates) {
      throw new GatewayError('MODEL_NOT_FOUND', `No model or route "${id}". Query \`models\` and \`routes\` for the ids this gateway serves.`, {
        details: { model: id },
      });
    }
    const capable = candidates.filter((target) => target.model.capabilities.includes(capability));
    if (capable.length === 0) {
      throw new GatewayError('BAD_USER_INPUT', `"${id}" does not support ${capability}.`, { details: { model: id, capability } });
    }
    return capable;
  }

  return {
    models: config.models,
    routes: config.routes,
    providers: config.providers,
    model: (id) => models.get(id),
    route: (id) => routes.get(id),
    provider: (id) => providerConfigs.get(id),
    resolve(id, capability) {
      const key = `${capability}\u0000${id}`;
      let targets = resolved.get(key);
      if (!targets) {
        targets = compute(id, capability);
        resolved.set(key, targets);
      }
      return targets;
    },
  };
}
