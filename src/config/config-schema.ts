import { z } from 'zod';
import { PROVIDER_TYPES } from '../providers/contract.js';

export const MODEL_CAPABILITIES = ['chat', 'streaming', 'tools', 'json', 'vision', 'files', 'audio', 'reasoning', 'embeddings'] as const;
export type ModelCapability = (typeof MODEL_CAPABILITIES)[number];

export const ROUTE_STRATEGIES = ['fallback', 'weighted', 'least-latency', 'least-busy', 'cheapest'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'expected letters, digits and . _ : / @ - (starting with a letter or digit)');

const providerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lower-case letters, digits, _ and - (no "/": it separates provider and model)');

/** Retries of one target on retryable failures (429, 408, 5xx, network errors, timeouts before the first token). */
export const retryConfigSchema = z.strictObject({
  /** Retries after the first try, per target. */
  attempts: z.number().int().min(0).max(10).optional(),
  /** First backoff delay; doubles per retry, with full jitter, in milliseconds. */
  initialDelayMs: z.number().int().min(0).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
  /** A Retry-After longer than this moves on to the next target instead of waiting, in milliseconds. */
  maxRetryAfterMs: z.number().int().min(0).optional(),
});

export const timeoutsConfigSchema = z.strictObject({
  /** Streams: from sending the request to the first token (a timeout here falls back), in milliseconds. */
  firstTokenMs: z.number().int().positive().optional(),
  /** Streams: the longest silence between two chunks once streaming, in milliseconds. */
  idleMs: z.number().int().positive().optional(),
  /** The whole request, all attempts included, in milliseconds. */
  totalMs: z.number().int().positive().optional(),
});

/** Per target (model): open after consecutive failures or a failure rate over a window. */
export const breakerConfigSchema = z.strictObject({
  consecutiveFailures: z.number().int().positive().optional(),
  /** Failure share (0-1] over `windowMs` that opens the breaker, once `minRequests` were seen in the window. */
  failureRate: z.number().gt(0).max(1).optional(),
  windowMs: z.number().int().positive().optional(),
  minRequests: z.number().int().positive().optional(),
  /** How long an open breaker waits before letting one probe through, in milliseconds. */
  halfOpenAfterMs: z.number().int().positive().optional(),
});

const pricing = z.strictObject({
  /** USD per million prompt tokens. */
  input: z.number().min(0),
  /** USD per million completion tokens (reasoning included). */
  output: z.number().min(0),
  /** USD per million prompt tokens read from the provider's prompt cache; absent: priced as `input`. */
  cachedInput: z.number().min(0).optional(),
});

export const providerConfigSchema = z.strictObject({
  id: providerId,
  type: z.enum(PROVIDER_TYPES),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** local only: pause between streamed tokens, in milliseconds. */
  tokenDelayMs: z.number().int().min(0).max(10_000).optional(),
  /** anthropic only: max_tokens sent when the caller sets none (the API requires one). */
  defaultMaxTokens: z.number().int().positive().optional(),
  /** TCP + TLS connect timeout to this provider, in milliseconds. */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Most connections open to this provider at once; unset: no cap. A stream holds its
   * connection until it ends, so a cap is also the most concurrent streams (others queue).
   */
  maxConnections: z.number().int().positive().optional(),
});

export const modelConfigSchema = z.strictObject({
  id: id.optional(),
  provider: providerId,
  upstream: z.string().min(1).max(256),
  description: z.string().max(1_000).optional(),
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  pricing: pricing.optional(),
  capabilities: z.array(z.enum(MODEL_CAPABILITIES)).min(1).optional(),
  retry: retryConfigSchema.optional(),
  timeouts: timeoutsConfigSchema.optional(),
  breaker: breakerConfigSchema.optional(),
});

export const routeConfigSchema = z.strictObject({
  id,
  strategy: z.enum(ROUTE_STRATEGIES).default('fallback'),
  description: z.string().max(1_000).optional(),
  targets: z
    .array(z.strictObject({ model: id, weight: z.number().positive().default(1) }))
    .min(1),
  retry: retryConfigSchema.optional(),
  timeouts: timeoutsConfigSchema.optional(),
});

/** Gateway-wide policy defaults; models override them, routes override models. */
export const routingConfigSchema = z.strictObject({
  retry: retryConfigSchema.prefault({}),
  timeouts: timeoutsConfigSchema.prefault({}),
  breaker: breakerConfigSchema.prefault({}),
});

/** What a caller may do. `admin` manages keys and reads anyone's usage. */
export const SCOPES = ['models', 'chat', 'embed', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const keyLimitsSchema = z.strictObject({
  /** Model calls (chat, chatStream) per minute, sliding (GCRA). */
  requestsPerMinute: z.number().int().positive().optional(),
  /** Prompt + completion tokens per minute: reserved on the estimate, settled with real usage. */
  tokensPerMinute: z.number().int().positive().optional(),
  /** US dollars per budget period (auth.budgetPeriod). */
  budgetUsd: z.number().positive().optional(),
  /**
   * Model calls (chat, chatStream, /v1 completions) in flight at once, streams
   * until they end; counted exactly across replicas. Unset: `limits.maxConcurrentRequests`.
   */
  maxConcurrentRequests: z.number().int().positive().optional(),
});
export type KeyLimits = z.infer<typeof keyLimitsSchema>;

const modelGlob = z.string().min(1).max(256).regex(/^[A-Za-z0-9._:/@*-]+$/, 'expected a model or route id, where * matches anything');

export const apiKeyConfigSchema = z
  .strictObject({
    id: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, . _ -'),
    /** The secret itself (from the environment, please); only its SHA-256 is kept. */
    secret: z.string().min(16, 'expected at least 16 characters').optional(),
    /** Or the hex SHA-256 of the secret, so the config holds no secret at all. */
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'expected 64 lower-case hex characters').optional(),
    scopes: z.array(z.enum(SCOPES)).default(['models', 'chat', 'embed']),
    /** Allowed model and route ids (globs); empty = every model. */
    models: z.array(modelGlob).default([]),
    limits: keyLimitsSchema.default({}),
  })
  .refine((key) => (key.secret === undefined) !== (key.sha256 === undefined), { message: 'expected exactly one of secret or sha256' });

export const jwtConfigSchema = z
  .strictObject({
    /** HS256 shared secret. */
    secret: z.string().min(32, 'expected at least 32 characters').optional(),
    /** Or a JWKS endpoint (RS256/ES256/EdDSA keys), fetched and cached. */
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    issuer: z.string().optional(),
    audience: z.string().optional(),
    /** Claim names: the key id (for limits and usage), scopes (space-separated string or array), allowed models. */
    claims: z
      .strictObject({ keyId: z.string().default('sub'), scopes: z.string().default('scope'), models: z.string().default('models') })
      .prefault({}),
    /** Scopes when the token carries none. */
    defaultScopes: z.array(z.enum(SCOPES)).default(['models', 'chat', 'embed']),
    /** Limits for every token subject. */
    limits: keyLimitsSchema.default({}),
    /** Refuse tokens without an `exp` claim: a token that never expires cannot be withdrawn. */
    requireExp: z.boolean().default(true),
    /** Tolerance for clock differences with the issuer on `exp`, `nbf` and `iat`, in seconds. */
    clockSkewSec: z.number().int().min(0).max(3_600).default(30),
  })
  .refine((jwt) => (jwt.secret === undefined) !== (jwt.jwksUrl === undefined), { message: 'expected exactly one of secret or jwksUrl' });

export const authConfigSchema = z.strictObject({
  keys: z.array(apiKeyConfigSchema).default([]),
  jwt: jwtConfigSchema.optional(),
  /** The period `budgetUsd` applies to (UTC calendar day or month). */
  budgetPeriod: z.enum(['day', 'month']).default('month'),
  /** Limits for everyone when the gateway runs open (no keys, no JWT). */
  anonymousLimits: keyLimitsSchema.default({}),
});

const fieldCoordinate = z.string().regex(/^(Query|Mutation|Subscription)\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected a root field like Mutation.chat');

export const limitsConfigSchema = z.strictObject({
  /** Per-field limits per caller, on root fields: `Mutation.chat: { max: 600, windowMs: 60000 }`. */
  fields: z
    .record(fieldCoordinate, z.strictObject({ max: z.number().int().positive(), windowMs: z.number().int().positive().default(60_000) }))
    .default({}),
  /** When the shared store (Redis) is unreachable: refuse model calls ("closed") or limit per replica ("local"). */
  onStoreFailure: z.enum(['closed', 'local']).default('closed'),
  /** Model calls in flight at once per caller whose own limits set none (unset: no cap). */
  maxConcurrentRequests: z.number().int().positive().optional(),
  /**
   * How long a concurrency lease outlives its replica, in milliseconds: a running
   * request refreshes its lease every third of this, so a replica that dies frees its
   * callers' slots after at most this long.
   */
  leaseTtlMs: z.number().int().min(1_000).default(30_000),
  /** Most content parts (text, images, files, audio) in one message; more is BAD_USER_INPUT. */
  maxPartsPerMessage: z.number().int().positive().max(1_000).default(64),
});

export const redisConfigSchema = z.strictObject({
  /** redis://, rediss:// (TLS). */
  url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional(),
  /** Cluster seed nodes ("host:port"), instead of url. */
  cluster: z.array(z.string().regex(/^[^:]+:\d+$/, 'expected host:port')).optional(),
  /** Sentinel: the master name and sentinel nodes ("host:port"), instead of url. */
  sentinel: z.strictObject({ name: z.string(), nodes: z.array(z.string().regex(/^[^:]+:\d+$/)).min(1), password: z.string().optional() }).optional(),
  keyPrefix: z.string().default('sb:'),
});

export const cacheConfigSchema = z.strictObject({
  /** Completion cache for chat and chatStream. */
  completions: z
    .strictObject({
      /**
       * off: never; deterministic: when `temperature` is 0 or the caller sets `cache: true`;
       * always: every request unless the caller sets `cache: false`.
       */
      mode: z.enum(['off', 'deterministic', 'always']).default('deterministic'),
      ttlSeconds: z.number().int().positive().default(3_600),
      /** key: each API key sees only its own entries; global: shared by every caller. */
      scope: z.enum(['key', 'global']).default('key'),
      /** Largest number of entries kept in memory (the Redis store is bounded by its TTLs). */
      maxEntries: z.number().int().positive().default(10_000),
      /**
       * Largest total size of the entries kept in memory, in characters of their stored JSON: long
       * answers would otherwise let maxEntries alone hold gigabytes. An answer larger than this is not kept.
       */
      maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
    })
    .prefault({}),
  /** Response cache for catalog and embedding queries, per caller. */
  responses: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Time to live per schema coordinate or type, in seconds; others are not cached. */
      ttlSeconds: z.record(z.string(), z.number().int().min(0)).default({ 'Query.models': 60, 'Query.model': 60, 'Query.routes': 60, 'Query.providers': 10, 'Query.embedding': 3_600 }),
    })
    .prefault({}),
});

export const databaseConfigSchema = z.strictObject({
  /** postgres:// or postgresql:// URL of the system of record (keys, usage ledger, audit). */
  url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL'),
  /** Connections in the pool. @default 10 */
  poolSize: z.number().int().positive().default(10),
  /** Usage ledger: rows per INSERT, how often a partial batch is written (ms), rows held while PostgreSQL is away. */
  ledger: z
    .strictObject({
      batchSize: z.number().int().positive().default(500),
      flushIntervalMs: z.number().int().positive().default(200),
      maxBuffered: z.number().int().positive().default(100_000),
    })
    .prefault({}),
  /** How often each replica checks that Redis still holds its epoch marker (ms). @default 2000 */
  epochCheckMs: z.number().int().positive().default(2_000),
});

export const auditConfigSchema = z.strictObject({
  /** auto: PostgreSQL when a database is configured, else a Redis Stream when Redis is, else stdout. */
  sink: z.enum(['auto', 'stdout', 'redis', 'postgres', 'off']).default('auto'),
  /** postgres sink: records older than this many days are deleted (hourly). @default 90 */
  retentionDays: z.number().int().positive().default(90),
  /** Redis Stream length kept (approximate trimming). */
  maxLength: z.number().int().positive().default(100_000),
  /** Put prompts and answers in audit records. Off: they may hold personal data. */
  includeContent: z.boolean().default(false),
});

/** A browser origin: scheme, host and optional port, nothing else (never the opaque `null`). */
const ORIGIN = /^https?:\/\/[^/?#\s]+$/;

export const corsConfigSchema = z
  .strictObject({
    /** Which pages may call: `*` (any, never with credentials) or a list of exact origins. */
    origins: z.union([z.literal('*'), z.array(z.string().regex(ORIGIN, 'expected an origin such as https://app.example.com')).min(1)]).default('*'),
    /** Send `Access-Control-Allow-Credentials` (cookies, HTTP auth): only with a list of origins. */
    credentials: z.boolean().default(false),
    /** How long a browser may cache a preflight answer, in seconds. */
    maxAgeSeconds: z.number().int().min(0).default(600),
  })
  .refine((cors) => !(cors.credentials && cors.origins === '*'), {
    message: 'credentials: true needs an explicit list of origins, not "*"',
    path: ['credentials'],
  });

export const serverConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).default(4_000),
  /**
   * Interface to listen on. Unset: 0.0.0.0, except in open mode (no keys, no JWT) with a
   * non-`local` provider, where it is 127.0.0.1 (the operator's provider credit is at stake).
   */
  host: z.string().min(1).optional(),
  /** How long a request's headers and body may take to arrive, in milliseconds (0: no limit). */
  requestTimeoutMs: z.number().int().min(0).default(30_000),
  /** CORS for `/graphql`, `/v1` and `/metrics` alike. */
  cors: corsConfigSchema.prefault({}),
  /** Request bodies over this size are refused with PAYLOAD_TOO_LARGE (HTTP 413). */
  maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Operations nested deeper than this are refused before execution. */
  maxDepth: z.number().int().positive().default(12),
  /** Operations whose cost (1 per field, `costPerModelCall` per model call) exceeds this are refused. */
  maxCost: z.number().int().positive().default(1_000),
  /** The cost of one `chat` / `chatStream` field. */
  costPerModelCall: z.number().int().positive().default(50),
  /** Documents with more GraphQL tokens than this are refused (BAD_USER_INPUT, HTTP 400) while parsing. */
  maxTokens: z.number().int().positive().default(10_000),
  /**
   * Deepest list/object nesting of argument literals and variables; deeper is refused (BAD_USER_INPUT).
   * At most 1,000, so that coercion and resolvers (which recurse) stay far from the stack's end.
   */
  maxInputDepth: z.number().int().positive().max(1_000).default(64),
  /** Serve `__schema` / `__type` to authorized callers. False (production): refused, and no "Did you mean" hints. */
  introspection: z.boolean().default(true),
  /** How long in-flight streams may run after SIGTERM before they are ended, in milliseconds. */
  shutdownGraceMs: z.number().int().min(0).default(10_000),
  /** Serve GraphiQL on GET /graphql from a browser. */
  graphiql: z.boolean().default(true),
  /** Persisted operations from a codegen manifest (schema/generated/persisted-documents.json). */
  persistedOperations: z
    .strictObject({
      /** Path to the manifest (id → document), relative to the config file. */
      manifest: z.string().min(1),
      /** False: only operations in the manifest run (allowlist mode for production frontends). */
      allowArbitraryOperations: z.boolean().default(true),
    })
    .optional(),
});

export const configFileSchema = z.strictObject({
  server: serverConfigSchema.prefault({}),
  providers: z.array(providerConfigSchema).default([]),
  models: z.array(modelConfigSchema).default([]),
  routes: z.array(routeConfigSchema).default([]),
  routing: routingConfigSchema.prefault({}),
  auth: authConfigSchema.prefault({}),
  limits: limitsConfigSchema.prefault({}),
  redis: redisConfigSchema.optional(),
  database: databaseConfigSchema.optional(),
  cache: cacheConfigSchema.prefault({}),
  audit: auditConfigSchema.prefault({}),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
/** The server block once resolved: the host is always decided (see `server.host`). */
export type ServerConfig = z.infer<typeof serverConfigSchema> & { host: string };
export type CorsConfig = z.infer<typeof corsConfigSchema>;
export type RouteConfig = z.infer<typeof routeConfigSchema>;
export type RetryConfig = z.infer<typeof retryConfigSchema>;
export type TimeoutsConfig = z.infer<typeof timeoutsConfigSchema>;
export type BreakerConfig = z.infer<typeof breakerConfigSchema>;
export type RoutingConfig = z.infer<typeof routingConfigSchema>;
export type AuthConfig = z.infer<typeof authConfigSchema>;
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
export type RedisConfig = z.infer<typeof redisConfigSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;
export type CacheConfig = z.infer<typeof cacheConfigSchema>;
export type AuditConfig = z.infer<typeof auditConfigSchema>;

/** A model with every default filled in. */
export interface ModelConfig {
  id: string;
  provider: string;
  upstream: string;
  description?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  pricing?: { input: number; output: number; cachedInput?: number };
  capabilities: ModelCapability[];
  retry?: RetryConfig;
  timeouts?: TimeoutsConfig;
  breaker?: BreakerConfig;
}

/** The resolved configuration the gateway runs on. */
export interface GatewayConfig {
  /** Where it came from: a file path, or "embedded default". */
  source: string;
  /** The persisted operations manifest, read at start-up (id → document). */
  persistedOperations?: { operations: Readonly<Record<string, string>>; allowArbitraryOperations: boolean };
  server: ServerConfig;
  /** Why the gateway chose its listening host on its own (open mode with a paid provider), for the start-up log. */
  hostNotice?: string;
  providers: ProviderConfig[];
  models: ModelConfig[];
  routes: RouteConfig[];
  routing: RoutingConfig;
  auth: AuthConfig;
  limits: LimitsConfig;
  redis?: RedisConfig;
  /** PostgreSQL, the system of record; absent: nothing is durable beyond Redis. */
  database?: DatabaseConfig;
  cache: CacheConfig;
  audit: AuditConfig;
}
