import type { ModelCapability, RoutingConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatRequest } from '../providers/contract.js';
import type { Catalog } from './catalog.js';
import type { Attempt } from './attempt.js';
import { needsOf, type Need } from './request-needs.js';
import { resolveRetry, resolveTimeouts, type RetryPolicy, type TimeoutPolicy } from './route-policy.js';
import { createStrategy } from './strategies/index.js';
import type { Candidate, SelectionStrategy } from './strategies/strategy-types.js';
import type { HealthRegistry } from './target-health.js';

/** Everything routing needs for one model or route id, computed once per id and capability. */
export interface RoutePlan {
  requested: string;
  candidates: readonly Candidate[];
  /** Targets left out because they lack a capability the request needs: reported as SKIPPED attempts. */
  skipped: readonly Attempt[];
  strategy: SelectionStrategy;
  strategyName: string;
  retry: RetryPolicy;
  timeouts: TimeoutPolicy;
}

export interface RoutePlanner {
  /**
   * Throws MODEL_NOT_FOUND / BAD_USER_INPUT like `Catalog.resolve`. With `request`,
   * targets lacking a capability its parts or reasoning need are skipped; when none
   * is left, BAD_USER_INPUT names the models and what they cannot take.
   */
  plan(id: string, capability: ModelCapability, request?: ChatRequest): RoutePlan;
}

export function createRoutePlanner(deps: {
  catalog: Catalog;
  routing: RoutingConfig;
  health: HealthRegistry;
  /** `limits.maxPartsPerMessage`. @default 64 */
  maxPartsPerMessage?: number;
}): RoutePlanner {
  const { catalog, routing, health } = deps;
  const maxParts = deps.maxPartsPerMessage ?? 64;
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
      skipped: [],
      strategy: createStrategy(strategyName),
      strategyName,
      retry: resolveRetry(routing, model?.retry, route?.retry),
      timeouts: resolveTimeouts(routing, model?.timeouts, route?.timeouts),
    };
  }

  /** The base plan without the targets that lack one of `needs`. */
  function narrow(base: RoutePlan, needs: Need[]): RoutePlan {
    const candidates: Candidate[] = [];
    const skipped: Attempt[] = [];
    for (const candidate of base.candidates) {
      const { model, provider } = candidate.target;
      const missing = needs.filter((need) => !model.capabilities.includes(need.capability));
      if (missing.length === 0) candidates.push(candidate);
      else skipped.push({ model: model.id, provider: provider.id, outcome: 'skipped', latencyMs: 0, reason: lacks(model.id, missing) });
    }
    if (candidates.length === 0) {
      const reasons = skipped.map((attempt) => attempt.reason).join('; ');
      throw new GatewayError('BAD_USER_INPUT', `"${base.requested}" cannot take this request: ${reasons}.`, {
        details: { model: base.requested, capabilities: needs.map((need) => need.capability.toUpperCase()) },
      });
    }
    return { ...base, candidates, skipped };
  }

  function cached(key: string, make: () => RoutePlan): RoutePlan {
    let plan = plans.get(key);
    if (!plan) {
      plan = make();
      plans.set(key, plan);
    }
    return plan;
  }

  return {
    plan(id, capability, request) {
      const base = cached(`${capability}\u0000${id}`, () => build(id, capability));
      const needs = request ? needsOf(request, maxParts) : [];
      if (needs.length === 0) return base;
      const names = needs.map((need) => need.capability).join(',');
      return cached(`${capability}\u0000${id}\u0000${names}`, () => narrow(base, needs));
    },
  };
}

function lacks(model: string, missing: Need[]): string {
  return `model "${model}" cannot take ${missing.map((need) => `${need.what} (it lacks the ${need.capability.toUpperCase()} capability)`).join(' or ')}`;
}
