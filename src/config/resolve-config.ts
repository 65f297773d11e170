import { chooseHost } from './choose-host.js';
import { LOCAL_MODELS } from '../providers/local/local-models.js';
import { databaseConfigSchema, type ConfigFile, type GatewayConfig, type ModelConfig, type ProviderConfig } from './config-schema.js';
import { lookupCatalog, WELL_KNOWN_PROVIDERS } from './model-catalog.js';

const DEFAULT_CAPABILITIES = ['chat', 'streaming'] as const;

/** Providers to add because their key is in the environment and the config does not name them. */
function providersFromEnv(env: Readonly<Record<string, string | undefined>>, configured: Set<string>) {
  const added: { provider: ProviderConfig; models: string[] }[] = [];
  for (const known of WELL_KNOWN_PROVIDERS) {
    if (configured.has(known.id)) continue;
    const apiKey = known.keyVariables.map((name) => env[name]).find((value) => value);
    if (!apiKey) continue;
    const baseUrl = env[`${known.id.toUpperCase()}_BASE_URL`] || known.baseUrl;
    added.push({ provider: { id: known.id, type: known.type, baseUrl, apiKey, headers: {}, connectTimeoutMs: 10_000 }, models: known.models });
  }
  return added;
}

function withCatalogDefaults(model: ConfigFile['models'][number]): ModelConfig {
  const known = lookupCatalog(model.upstream);
  const local = LOCAL_MODELS.find((spec) => model.provider === 'local' && spec.upstream === model.upstream);
  const resolved: ModelConfig = {
    id: model.id ?? `${model.provider}/${model.upstream}`,
    provider: model.provider,
    upstream: model.upstream,
    // Copies: a resolved config must not share mutable state with the built-in tables.
    capabilities: [...(model.capabilities ?? local?.capabilities ?? known?.capabilities ?? DEFAULT_CAPABILITIES)],
  };
  const description = model.description ?? local?.description ?? known?.description;
  if (description !== undefined) resolved.description = description;
  const contextWindow = model.contextWindow ?? known?.contextWindow;
  if (contextWindow !== undefined) resolved.contextWindow = contextWindow;
  const maxOutputTokens = model.maxOutputTokens ?? known?.maxOutputTokens;
  if (maxOutputTokens !== undefined) resolved.maxOutputTokens = maxOutputTokens;
  if (model.retry) resolved.retry = model.retry;
  if (model.timeouts) resolved.timeouts = model.timeouts;
  if (model.breaker) resolved.breaker = model.breaker;
  const pricing = model.pricing ?? (local ? { input: 0, output: 0 } : known?.pricing);
  if (pricing !== undefined) resolved.pricing = { ...pricing };
  return resolved;
}

/**
 * Fills defaults and cross-checks ids. `embedded` is true when no config file was
 * given: then the built-in `local` demo provider and its models are present.
 * Returns the resolved config and the problems found (empty when valid).
 */
export function resolveConfig(
  file: ConfigFile,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
  embedded: boolean,
): { config: GatewayConfig; problems: string[] } {
  const problems: string[] = [];
  const providers = [...file.providers];
  const models = [...file.models];
  if (embedded && !providers.some((provider) => provider.id === 'local')) {
    providers.unshift({ id: 'local', type: 'local', headers: {}, connectTimeoutMs: 10_000 });
    models.unshift(...LOCAL_MODELS.map((spec) => ({ provider: 'local', upstream: spec.upstream })));
  }
  for (const { provider, models: names } of providersFromEnv(env, new Set(providers.map((entry) => entry.id)))) {
    providers.push(provider);
    models.push(...names.map((upstream) => ({ provider: provider.id, upstream })));
  }
  // A config that lists `type: local` without models gets the demo models.
  for (const provider of providers) {
    if (provider.type === 'local' && !models.some((model) => model.provider === provider.id)) {
      models.push(...LOCAL_MODELS.map((spec) => ({ provider: provider.id, upstream: spec.upstream })));
    }
  }

  const providerIds = new Set<string>();
  providers.forEach((provider, index) => {
    if (providerIds.has(provider.id)) problems.push(`providers[${index}].id: "${provider.id}" is used twice`);
    providerIds.add(provider.id);
    if (provider.type !== 'local' && !provider.baseUrl) {
      // A well-known id (groq, mistral …) or a single-endpoint type (anthropic, google) has a default;
      // a custom OpenAI-compatible server must say where it is, never silently reach api.openai.com.
      const known =
        WELL_KNOWN_PROVIDERS.find((entry) => entry.id === provider.id && entry.type === provider.type) ??
        (provider.type === 'openai' ? undefined : WELL_KNOWN_PROVIDERS.find((entry) => entry.id === provider.type));
      if (known) provider.baseUrl = known.baseUrl;
      else problems.push(`providers[${index}].baseUrl: expected the base URL of this OpenAI-compatible server (e.g. http://localhost:11434/v1)`);
    }
  });

  const resolvedModels = models.map(withCatalogDefaults);
  const modelIds = new Set<string>();
  resolvedModels.forEach((model, index) => {
    if (!providerIds.has(model.provider)) {
      problems.push(`models[${index}].provider: expected one of the configured providers (${[...providerIds].join(', ') || 'none'}), got "${model.provider}"`);
    }
    if (modelIds.has(model.id)) problems.push(`models[${index}].id: "${model.id}" is used twice`);
    modelIds.add(model.id);
  });

  file.routes.forEach((route, index) => {
    if (modelIds.has(route.id)) problems.push(`routes[${index}].id: "${route.id}" is already a model id`);
    route.targets.forEach((target, targetIndex) => {
      if (!modelIds.has(target.model)) {
        problems.push(`routes[${index}].targets[${targetIndex}].model: expected a configured model id, got "${target.model}"`);
      }
    });
  });
  const routeIds = new Set<string>();
  file.routes.forEach((route, index) => {
    if (routeIds.has(route.id)) problems.push(`routes[${index}].id: "${route.id}" is used twice`);
    routeIds.add(route.id);
  });

  const routes = [...file.routes];
  if (embedded && !routes.some((route) => route.id === 'demo') && !modelIds.has('demo')) {
    routes.push({
      id: 'demo',
      strategy: 'fallback',
      description: 'Demo route: local/echo, falling back to local/lorem.',
      targets: [
        { model: 'local/echo', weight: 1 },
        { model: 'local/lorem', weight: 1 },
      ],
    });
  }

  const ids = new Set<string>();
  file.auth.keys.forEach((key, index) => {
    if (ids.has(key.id)) problems.push(`auth.keys[${index}].id: "${key.id}" is used twice`);
    ids.add(key.id);
  });
  // REDIS_URL turns on the shared stores when the config does not configure Redis itself.
  const redis = file.redis ?? (env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: 'sb:' } : undefined);
  if (redis && !redis.url && !redis.cluster && !redis.sentinel) problems.push('redis: expected one of url, cluster or sentinel');
  if (file.audit.sink === 'redis' && !redis) problems.push('audit.sink: "redis" needs redis (a url, cluster or sentinel) or REDIS_URL; use "auto" or "stdout"');
  // DATABASE_URL turns on the system of record when the config does not configure a database itself.
  let database = file.database;
  if (!database && env.DATABASE_URL) {
    const parsed = databaseConfigSchema.safeParse({ url: env.DATABASE_URL });
    if (parsed.success) database = parsed.data;
    else problems.push('DATABASE_URL: expected a postgres:// or postgresql:// URL');
  }
  if (file.audit.sink === 'postgres' && !database) problems.push('audit.sink: "postgres" needs database.url or DATABASE_URL; use "auto" or "stdout"');

  const { host, notice } = chooseHost({ configured: file.server.host, env, auth: file.auth, providers });
  return {
    config: {
      source,
      server: { ...file.server, host },
      ...(notice ? { hostNotice: notice } : {}),
      providers,
      models: resolvedModels,
      routes,
      routing: file.routing,
      auth: file.auth,
      limits: file.limits,
      ...(redis ? { redis } : {}),
      ...(database ? { database } : {}),
      cache: file.cache,
      audit: file.audit,
    },
    problems,
  };
}
