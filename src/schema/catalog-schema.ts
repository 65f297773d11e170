import { MODEL_CAPABILITIES, ROUTE_STRATEGIES, type ModelConfig, type ProviderConfig, type RouteConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors.js';
import { PROVIDER_TYPES } from '../providers/contract.js';
import { BREAKER_STATES, type HealthSnapshot } from '../routing/target-health.js';
import type { Builder } from './builder.js';
import type { GatewayContext } from './context.js';
import { enumValues } from './enum-values.js';

/** A provider's health from its models': the best breaker state, mean latency and error rate, total in flight. */
function aggregateHealth(snapshots: HealthSnapshot[]): HealthSnapshot {
  const latencies = snapshots.flatMap((snapshot) => (snapshot.latencyMs === null ? [] : [snapshot.latencyMs]));
  const state = snapshots.some((snapshot) => snapshot.state === 'closed')
    ? 'closed'
    : snapshots.some((snapshot) => snapshot.state === 'half_open')
      ? 'half_open'
      : snapshots.length > 0
        ? 'open'
        : 'closed';
  return {
    state,
    latencyMs: latencies.length > 0 ? latencies.reduce((sum, value) => sum + value, 0) / latencies.length : null,
    errorRate: snapshots.length > 0 ? snapshots.reduce((sum, snapshot) => sum + snapshot.errorRate, 0) / snapshots.length : 0,
    inFlight: snapshots.reduce((sum, snapshot) => sum + snapshot.inFlight, 0),
  };
}

/**
 * Federation's `_entities` bypasses the root Query fields and their `models`
 * scope, so entity lookups check it themselves.
 */
function assertModelsScope(context: GatewayContext, typeName: string): void {
  if (!context.principal.scopes.has('models')) {
    throw new GatewayError('FORBIDDEN', `This ${context.principal.kind === 'jwt' ? 'token' : 'key'} may not read ${typeName} entities: it lacks the models scope.`, {
      details: { field: `Query._entities(${typeName})` },
    });
  }
}

/** Model, Provider and Route types and the catalog queries. */
export function addCatalogSchema(builder: Builder) {
  const ModelCapability = builder.enumType('ModelCapability', {
    description: 'What a model can do.',
    values: enumValues(MODEL_CAPABILITIES, {
      chat: 'Chat completions (`Mutation.chat`).',
      streaming: 'Streamed chat completions (`Subscription.chatStream`).',
      tools: 'Tool (function) calling.',
      json: 'JSON output (`responseFormat`).',
      vision: 'Image input (`image` parts).',
      files: 'Document input such as PDFs (`file` parts).',
      audio: 'Audio input (`audio` parts).',
      reasoning: 'Thinks before answering when asked (`ChatInput.reasoning`).',
      embeddings: 'Embeddings.',
    }),
  });
  const ProviderType = builder.enumType('ProviderType', {
    description: 'The wire protocol a provider speaks.',
    values: enumValues(PROVIDER_TYPES, {
      openai: 'Any OpenAI-compatible Chat Completions API (OpenAI, Groq, Together, Mistral, DeepSeek, OpenRouter, vLLM, Ollama, LM Studio).',
      anthropic: 'The Anthropic Messages API.',
      google: 'The Google Gemini API.',
      local: 'The built-in offline demo provider.',
    }),
  });
  const RouteStrategy = builder.enumType('RouteStrategy', {
    description: 'How a route picks among its targets.',
    values: enumValues(ROUTE_STRATEGIES, {
      fallback: 'Targets in order; the next one is tried when one fails with a retryable error (before any streamed token).',
      weighted: 'A weighted random order (by target weight): spreads load across targets.',
      'least-latency': 'The target with the lowest recent latency (time to first token for streams) first; the others are re-measured now and then.',
      'least-busy': 'The target with the fewest requests in flight first.',
      cheapest: "The target with the lowest estimated cost for this request's tokens first.",
    }),
  });

  const BreakerState = builder.enumType('BreakerState', {
    description: "A target's circuit breaker.",
    values: enumValues(BREAKER_STATES, {
      closed: 'Healthy: requests flow.',
      open: 'Failing: requests skip this target until the cool-down ends.',
      half_open: 'Cool-down over: one probe request decides whether it closes or opens again.',
    }),
  });

  const TargetHealth = builder.objectRef<HealthSnapshot>('TargetHealth').implement({
    description: 'Live health of a target (for a provider: aggregated over its models).',
    fields: (t) => ({
      state: t.field({ type: BreakerState, description: 'Circuit breaker state.', resolve: (health) => health.state }),
      latencyMs: t.exposeFloat('latencyMs', {
        nullable: true,
        description: 'Recent latency (moving average; time to first token for streams), in milliseconds; null before any request.',
      }),
      errorRate: t.exposeFloat('errorRate', { description: 'Recent share of failed requests (moving average), 0 to 1.' }),
      inFlight: t.exposeInt('inFlight', { description: 'Requests in flight now.' }),
    }),
  });

  const Pricing = builder.objectRef<{ input: number; output: number; cachedInput?: number }>('Pricing').implement({
    description: 'List price in US dollars per million tokens.',
    fields: (t) => ({
      input: t.exposeFloat('input', { description: 'USD per million prompt (input) tokens.' }),
      output: t.exposeFloat('output', { description: 'USD per million completion (output) tokens, reasoning tokens included.' }),
      cachedInput: t.float({
        nullable: true,
        description: "USD per million prompt tokens read from the provider's prompt cache (`Usage.cachedPromptTokens`); null when they cost the same as `input`.",
        resolve: (pricing) => pricing.cachedInput ?? null,
      }),
    }),
  });

  const Model = builder.objectRef<ModelConfig>('Model').implement({
    description: 'A model the gateway serves. Ask for it in `ChatInput.model` by its `id`.',
    fields: (t) => ({
      id: t.exposeID('id', { description: 'The id clients use, usually "<provider>/<upstream>".' }),
      provider: t.exposeString('provider', { description: 'The id of the provider that serves it.' }),
      upstream: t.exposeString('upstream', { description: "The provider's own name for the model." }),
      description: t.exposeString('description', { nullable: true, description: 'What the model is, when known.' }),
      contextWindow: t.exposeInt('contextWindow', { nullable: true, description: 'Maximum prompt + completion tokens, when known.' }),
      maxOutputTokens: t.exposeInt('maxOutputTokens', { nullable: true, description: 'Maximum completion tokens, when known.' }),
      pricing: t.field({
        type: Pricing,
        nullable: true,
        description: 'Price per million tokens; null when unknown (costs are then reported as null).',
        resolve: (model) => model.pricing ?? null,
      }),
      capabilities: t.field({
        type: [ModelCapability],
        description: 'What the model can do.',
        resolve: (model) => model.capabilities,
      }),
      health: t.field({
        type: TargetHealth,
        description: 'Live health of this model as a routing target.',
        resolve: (model, _args, context) => context.health.snapshot(model),
      }),
    }),
  });

  const Provider = builder.objectRef<ProviderConfig>('Provider').implement({
    description: 'An upstream LLM provider the gateway sends requests to.',
    fields: (t) => ({
      id: t.exposeID('id', { description: 'Unique provider id; the prefix of its model ids.' }),
      type: t.field({ type: ProviderType, description: 'The protocol it speaks.', resolve: (provider) => provider.type }),
      models: t.field({
        type: [Model],
        description: 'The models served by this provider.',
        resolve: (provider, _args, context) => context.catalog.models.filter((model) => model.provider === provider.id),
      }),
      health: t.field({
        type: TargetHealth,
        description: 'Health over all its models: OPEN when every breaker is open, HALF_OPEN when none is closed.',
        resolve: (provider, _args, context) =>
          aggregateHealth(context.catalog.models.filter((model) => model.provider === provider.id).map((model) => context.health.snapshot(model))),
      }),
    }),
  });

  // Federation entities: other subgraphs reference models and providers by id.
  builder.asEntity(Model, {
    key: builder.selection<{ id: string }>('id'),
    resolveReference: (ref, context) => {
      assertModelsScope(context, 'Model');
      return context.catalog.model(ref.id) ?? null;
    },
  });
  builder.asEntity(Provider, {
    key: builder.selection<{ id: string }>('id'),
    resolveReference: (ref, context) => {
      assertModelsScope(context, 'Provider');
      return context.catalog.provider(ref.id) ?? null;
    },
  });

  const RouteTarget = builder.objectRef<RouteConfig['targets'][number]>('RouteTarget').implement({
    description: 'One model a route can send a request to.',
    fields: (t) => ({
      model: t.exposeString('model', { description: 'The target model id.' }),
      weight: t.exposeFloat('weight', { description: 'Relative weight (used by weighted strategies).' }),
      health: t.field({
        type: TargetHealth,
        description: "The target model's live health.",
        resolve: (target, _args, context) => {
          const model = context.catalog.model(target.model);
          return model ? context.health.snapshot(model) : aggregateHealth([]);
        },
      }),
    }),
  });

  const Route = builder.objectRef<RouteConfig>('Route').implement({
    description: 'An alias clients may ask for instead of a model id; it spreads or falls back across targets.',
    fields: (t) => ({
      id: t.exposeID('id', { description: 'The id clients use in `ChatInput.model`.' }),
      strategy: t.field({ type: RouteStrategy, description: 'How a target is picked.', resolve: (route) => route.strategy }),
      description: t.exposeString('description', { nullable: true, description: 'What the route is for.' }),
      targets: t.field({ type: [RouteTarget], description: 'The targets, in order.', resolve: (route) => route.targets }),
    }),
  });

  builder.queryType({
    description: 'Read the catalog: models, routes and providers.',
    fields: (t) => ({
      models: t.field({
        authScopes: { scope: 'models' },
        type: [Model],
        description: 'The models the gateway serves, optionally filtered.',
        args: {
          capability: t.arg({ type: ModelCapability, description: 'Only models with this capability.' }),
          provider: t.arg.string({ description: 'Only models of this provider id.' }),
        },
        resolve: (_root, args, context) =>
          context.catalog.models.filter(
            (model) =>
              (!args.capability || model.capabilities.includes(args.capability)) &&
              (!args.provider || model.provider === args.provider),
          ),
      }),
      model: t.field({
        authScopes: { scope: 'models' },
        type: Model,
        nullable: true,
        description: 'One model by id; null when the gateway does not serve it.',
        args: { id: t.arg.id({ required: true, description: 'The model id, e.g. "local/echo".' }) },
        resolve: (_root, args, context) => context.catalog.model(String(args.id)) ?? null,
      }),
      routes: t.field({
        authScopes: { scope: 'models' },
        type: [Route],
        description: 'The configured routes (aliases).',
        resolve: (_root, _args, context) => context.catalog.routes,
      }),
      providers: t.field({
        authScopes: { scope: 'models' },
        type: [Provider],
        description: 'The configured providers.',
        resolve: (_root, _args, context) => context.catalog.providers,
      }),
    }),
  });
}
