import type { ModelCapability, RoutingConfig } from '../config/config-schema.js';
import type { Catalog } from '../services/catalog.js';
import { resolveRetry, resolveTimeouts, type RetryPolicy, type TimeoutPolicy } from './route-policy.js';
import { createStrategy } from './strategies/index.js';
import type { Candidate, SelectionStrategy } from './strategies/strategy-types.js';
import type { HealthRegistry } from './target-health.js';

/** Everything routing needs for one model or route id, computed once per id and capability. */
export interface RoutePlan {
  requested: string;
  candidates: readonly Candidate[];
  strategy: SelectionStrategy;
  strategyName: string;
  retry: RetryPolicy;
  timeouts: TimeoutPolicy;
}

export interface RoutePlanner {
  /** Throws MODEL_NOT_FOUND / BAD_USER_INPUT like `Catalog.resolve`. */
  plan(id: string, capability: ModelCapability): RoutePlan;
}

export function createRoutePlanner(deps: { catalog: Catalog; routing: RoutingConfig; health: HealthRegistry }): RoutePlanner {
  const { catalog, routing, health } = deps;
  const plans = new Map<string, RoutePlan>();

  function build(id: string, capability: ModelCapability): RoutePlan {
    const targets = catalog.resolve(id, capability);
    const route = catalog.route(id);
    // A direct model id is a one-target route whose policies are the model's own.
    const model = route ? undefined : targets[0]?.model;
    const strategyName = route?.strategy ?? 'fallback';
    return {
      requested: id,
      candidates: targets.map((target) => ({ target, stats: health.of(target.model).stats })),
      strategy: createStrategy(strategyName),
      strategyName,
      retry: resolveRetry(routing, model?.retry, route?.retry),
      timeouts: resolveTimeouts(routing, model?.timeouts, route?.timeouts),
    };
  }

  return {
    plan(id, capability) {
      const key = `${capability}\u0000${id}`;
      let plan = plans.get(key);
      if (!plan) {
        plan = build(id, capability);
        plans.set(key, plan);
      }
      return plan;
    },
  };
}
