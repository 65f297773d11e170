import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from './providers/http/upstream-agent.js';
import type { GatewayConfig } from './config/config-schema.js';
import type { Logger } from './create-logger.js';
import { GatewayError } from './errors/gateway-error.js';
import { createLogThrottle } from './create-log-throttle.js';
import type { Provider } from './providers/contract.js';
import { createProvider } from './providers/create-provider.js';
import { buildSchema } from './schema/build-schema.js';
import { createCatalog } from './routing/catalog.js';
import type { TracerProvider } from '@opentelemetry/api';
import { createAuthenticator } from './auth/create-authenticator.js';
import { logFailure } from './errors/classify-failure.js';
import { createCompletionCache } from './cache/completion-cache.js';
import { createAudit } from './observability/audit/create-audit.js';
import { createMetrics } from './observability/metrics/create-metrics.js';
import type { Tracing } from './observability/tracing/create-tracing.js';
import type { ChatObserver } from './services/chat-observer.js';
import { createEmbeddingService } from './services/embedding-service.js';
import { createRedisClients } from './create-redis-clients.js';
import { createAccountsService } from './services/accounts-service.js';
import { createCallRegistry } from './services/call-registry.js';
import { createChatService } from './services/chat-service.js';
import { createLimitsService } from './services/limits-service.js';
import { createConcurrencyLimit } from './services/concurrency-limit.js';
import { createMemoryStores } from './stores/memory/create-memory-stores.js';
import { createRedisStores } from './stores/redis/create-redis-stores.js';
import type { Stores } from './stores/store-types.js';
import { withFailover } from './stores/with-failover.js';
import { createUsageMeter } from './services/usage-meter.js';
import { createRoutePlanner } from './routing/plan-routes.js';
import { createHealthRegistry } from './routing/target-health.js';
import { attachGraphQLWs } from './server/attach-graphql-ws.js';
import { useCompiledSubscriptions } from './plugins/use-compiled-subscriptions.js';
import { createGatewayYoga, type GatewayYoga } from './server/create-yoga.js';
import { createRestHandler } from './rest/create-rest-handler.js';
import { createFastLane } from './server/fast-lane/create-fast-lane.js';
import { createHttpHandler } from './server/create-http-handler.js';
import { replayToYoga } from './server/fast-lane/replay-to-yoga.js';
import { setCorsHeaders } from './server/cors.js';
import { createDurableState } from './durable/create-durable-state.js';
import { describeDurability } from './durable/describe-durability.js';

export interface Gateway {
  readonly config: GatewayConfig;
  readonly server: Server;
  readonly yoga: GatewayYoga;
  /** The shared stores (memory or Redis), for operations tooling and tests. */
  readonly stores: Stores;
  /** Starts listening; resolves with the GraphQL endpoint URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful stop: refuse new work, let in-flight operations finish for up to
   * `server.shutdownGraceMs`, then end the rest with SHUTTING_DOWN and close.
   */
  stop(): Promise<void>;
}

const DRAIN_POLL_MS = 25;

/**
 * Node's own header and request timeouts, so a stalled request is dropped (408) even before any
 * handler runs. Node checks them every `connectionsCheckingInterval` (30 s by default): scaled down
 * with the timeout so a small one is honoured.
 */
function nodeTimeouts(requestTimeoutMs: number): { requestTimeout: number; headersTimeout?: number; connectionsCheckingInterval?: number } {
  if (requestTimeoutMs === 0) return { requestTimeout: 0 };
  return { requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(requestTimeoutMs / 4))) };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The composition root: builds providers, services, Yoga and the servers from the config. */
export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** OpenTelemetry tracer provider; tracing is off (and free) without one. */
  tracerProvider?: TracerProvider;
}

/**
 * The modules of optional features, loaded only when their feature is on (tracing, the response
 * cache, persisted operations): an idle gateway without them does not hold their code. Loaded
 * before anything is created, so a failure leaves nothing open.
 */
async function loadFeatureModules(config: GatewayConfig, tracerProvider: TracerProvider | undefined) {
  const [tracing, queryCache, persistedOperations] = await Promise.all([
    tracerProvider ? import('./observability/tracing/create-tracing.js') : undefined,
    config.cache.responses.enabled ? import('./plugins/use-query-cache.js') : undefined,
    config.persistedOperations ? import('./plugins/use-persisted-operations-allowlist.js') : undefined,
  ]);
  return { tracing, queryCache, persistedOperations };
}

const NO_TRACING: Tracing = { observer: undefined, plugin: undefined };

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const features = await loadFeatureModules(config, options.tracerProvider);
  // One keep-alive pool per provider, so each has its own connect timeout and connection cap.
  const dispatchers = config.providers.map(
    (provider) => new Agent({ keepAliveTimeout: 30_000, connections: provider.maxConnections ?? null, connect: { timeout: provider.connectTimeoutMs } }),
  );
  const providers = new Map<string, Provider>(
    config.providers.map((provider, index) => [provider.id, createProvider(provider, { dispatcher: dispatchers[index] as Agent })]),
  );
  const catalog = createCatalog(config, providers);
  const health = createHealthRegistry(config.routing);
  const planner = createRoutePlanner({ catalog, routing: config.routing, health, maxPartsPerMessage: config.limits.maxPartsPerMessage });

  // Shared state: Redis when configured (several replicas), else this process's memory.
  const redis = config.redis ? createRedisClients(config.redis) : undefined;
  const local = createMemoryStores();
  const redisStores = redis
    ? createRedisStores({ client: redis.client, subscriber: redis.subscriber, keyPrefix: config.redis?.keyPrefix ?? 'sb:' })
    : undefined;
  const stores: Stores = redisStores ?? local;
  const storeLog = logger.child({ component: 'stores', backend: stores.backend });
  const guarded = stores === local ? local : withFailover({ primary: stores, fallback: local, policy: config.limits.onStoreFailure, logger: storeLog });
  // The system of record, when configured: runtime keys, the usage ledger, the audit log; restores Redis when it comes back empty.
  const durable = config.database
    ? createDurableState({
        config: config.database,
        logger: logger.child({ component: 'database' }),
        stores,
        ...(redis ? { redis: { client: redis.client, keyPrefix: config.redis?.keyPrefix ?? 'sb:' } } : {}),
        budgetPeriod: config.auth.budgetPeriod,
        seedConfigKeys: () => accounts.seedConfigKeys(),
      })
    : undefined;
  const keyStore = durable ? durable.guard.keys(stores.keys) : stores.keys;
  const usage = createUsageMeter({
    store: stores.usage,
    onError: (error) => storeLog.error({ err: errorMessage(error) }, 'usage store unreachable: counters are queued until it is back'),
  });
  const budgets = durable ? durable.guard.budgets(guarded.budgets) : guarded.budgets;
  const limits = createLimitsService({
    rateLimits: guarded.rateLimits,
    budgets,
    budgetPeriod: config.auth.budgetPeriod,
    onSettleError: (error) => storeLog.warn({ err: errorMessage(error) }, 'could not settle a limit reservation'),
  });
  const concurrency = createConcurrencyLimit({
    leases: guarded.leases,
    ttlMs: config.limits.leaseTtlMs,
    ...(config.limits.maxConcurrentRequests ? { defaultMax: config.limits.maxConcurrentRequests } : {}),
    onError: (error) => storeLog.warn({ err: errorMessage(error) }, 'could not refresh or release a concurrency lease (it expires on its own)'),
  });
  const accounts = createAccountsService({
    auth: config.auth,
    keys: keyStore,
    usage: stores.usage,
    budgets,
    ...(durable ? { durableKeys: durable.keys } : {}),
  });
  // A Redis that comes back empty (restart without persistence, failover) must not lose the config's keys.
  redis?.client.on('ready', () => {
    accounts.seedConfigKeys().catch((error: unknown) => storeLog.warn({ err: errorMessage(error) }, 'could not re-seed config keys'));
  });
  const calls = createCallRegistry();
  const redisHandle = redis ? { client: redis.client, keyPrefix: config.redis?.keyPrefix ?? 'sb:' } : undefined;
  const metrics = createMetrics({ catalog, health, calls });
  const tracing = features.tracing && options.tracerProvider ? features.tracing.createTracing({ tracerProvider: options.tracerProvider }) : NO_TRACING;
  const audit = createAudit({
    config: config.audit,
    logger: logger.child({ component: 'audit' }),
    ...(redisHandle ? { redis: redisHandle } : {}),
    ...(durable ? { postgres: { pool: durable.database.pool } } : {}),
  });
  const observers = [metrics.observer, tracing.observer, audit.observer, durable?.ledger.observer].filter((observer): observer is ChatObserver => observer !== undefined);
  const completionCache = createCompletionCache({ config: config.cache.completions, ...(redisHandle ? { redis: redisHandle } : {}) });
  let ready = false;
  // One budget for the log lines callers cause (refusals, disconnects), whichever transport they came by.
  const logThrottle = createLogThrottle(logger);
  const authLog = logger.child({ component: 'auth' });
  const authenticator = createAuthenticator({
    auth: config.auth,
    keys: keyStore,
    onRefused: (error) => logFailure(authLog, logThrottle, error, {}, 'credential refused'),
  });

  const services = {
    catalog,
    health,
    usage,
    accounts,
    chat: createChatService({ planner, health, usage, limits, concurrency, observers, ...(completionCache ? { cache: completionCache } : {}), onCacheLookup: (hit) => metrics.cacheLookup('completion', hit) }),
    embeddings: createEmbeddingService({ catalog, usage, limits }),
    calls,
    ...(durable ? { reports: durable.reports, auditOfRecord: audit.sink === 'postgres' } : {}),
  };
  const yoga = createGatewayYoga({
    schema: buildSchema(),
    services,
    authenticator,
    fieldLimits: { fields: config.limits.fields, rateLimits: guarded.rateLimits },
    extraPlugins: {
      ...(features.persistedOperations && config.persistedOperations
        ? { persistedOperations: features.persistedOperations.usePersistedOperationsAllowlist(config.persistedOperations) }
        : {}),
      metrics: metrics.plugin,
      compiledSubscriptions: useCompiledSubscriptions({ onPath: (path) => metrics.subscriptionPath(path) }),
      ...(tracing.plugin ? { tracing: tracing.plugin } : {}),
      ...(features.queryCache
        ? {
            queryCache: features.queryCache.useQueryCache({
              config: config.cache.responses,
              ...(redisHandle ? { redis: redisHandle } : {}),
              onLookup: (hit) => metrics.cacheLookup('response', hit),
            }),
          }
        : {}),
    },
    server: config.server,
    logger,
    logThrottle,
    isReady: async () => ready && (await stores.ping()) && (durable ? await durable.ready() : true),
  });
  const rest = createRestHandler({ services, authenticator, maxBodyBytes: config.server.maxBodyBytes, requestTimeoutMs: config.server.requestTimeoutMs, logger });
  // Plain JSON operations skip the fetch-API layer; persisted-operation allowlists keep Yoga's checks.
  const graphql = config.persistedOperations
    ? (req: IncomingMessage, res: ServerResponse, body: Buffer, cors: Readonly<Record<string, string>>) => {
        setCorsHeaders(res, cors);
        void replayToYoga(yoga, req, res, body).catch(() => res.destroy());
      }
    : createFastLane({ yoga, authenticator, logger: logger.child({ component: 'yoga' }), queries: !config.cache.responses.enabled });
  let draining = false;
  // One door: CORS, then the OpenAI-compatible REST surface, then GraphQL with its body read by one reader.
  const handler = createHttpHandler({ server: config.server, rest, graphql, withoutBody: yoga, draining: () => draining, logger });
  const server = createServer({ keepAliveTimeout: 65_000, ...nodeTimeouts(config.server.requestTimeoutMs) }, handler);
  const websockets = attachGraphQLWs(server, yoga, { maxPayloadBytes: config.server.maxBodyBytes, authenticator, logger });
  let stopping: Promise<void> | undefined;

  // Requests (including SSE streams) still being answered; drain waits for them.
  let inFlightRequests = 0;
  const answered = () => {
    inFlightRequests--;
  };
  // `on`, not `once`: a response closes once, and `once` would allocate a wrapper per request.
  server.on('request', (_request, response) => {
    inFlightRequests++;
    response.on('close', answered);
  });

  async function drain(): Promise<void> {
    ready = false;
    // Keep listening through the grace period: probes answer (/readyz 503), new work gets 503 SHUTTING_DOWN.
    draining = true;
    const deadline = Date.now() + config.server.shutdownGraceMs;
    while (Date.now() < deadline && (inFlightRequests > 0 || websockets.activeOperations > 0)) {
      server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    calls.abortAll(new GatewayError('SHUTTING_DOWN', 'The gateway is shutting down; retry on another instance.'));
    // Let the aborted operations send their final error before the sockets go.
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    await websockets.close();
    server.close();
    server.closeAllConnections();
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.close()));
    await usage.flush();
    await audit.flush();
    await durable?.close();
    authenticator.close();
    logThrottle.flush();
    await stores.close();
    await redis?.close();
  }

  return {
    config,
    server,
    yoga,
    stores,
    async listen(port = config.server.port, host = config.server.host) {
      // Serve only once revocations from other replicas will be heard.
      await redisStores?.ready();
      await accounts.seedConfigKeys();
      // Migrations, then keys and spend restored when the hot store lost them, before serving.
      await durable?.start();
      const durability = describeDurability(config);
      logger[durability.level](durability.message);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      ready = true;
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? 'localhost' : shownHost}:${address.port}/graphql`;
    },
    stop() {
      stopping ??= drain();
      return stopping;
    },
  };
}
