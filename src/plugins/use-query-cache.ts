import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import {
  getNamedType,
  getOperationAST,
  isAbstractType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { CacheConfig } from '../config/config-schema.js';
import { credentialOf } from '../server/create-yoga.js';
import { createRedisResponseCache } from './query-cache/redis-response-cache.js';

export interface QueryCacheOptions {
  config: CacheConfig['responses'];
  redis?: { client: Redis | Cluster; keyPrefix: string };
  /** Called on every cacheable lookup (metrics). */
  onLookup?: (hit: boolean) => void;
}

/** Live data: never cached, whatever the configuration says. */
const NEVER_CACHED: Readonly<Record<string, 0>> = {
  TargetHealth: 0,
  Viewer: 0,
  UsageSummary: 0,
  Budget: 0,
  ApiKey: 0,
  'Query.viewer': 0,
  'Query.apiKeys': 0,
  'Query.keyUsage': 0,
  'Query.__schema': 0,
  'Query.__type': 0,
};

/** Configured TTLs in milliseconds, by schema coordinate (`Query.models`) or type name (`Model`); live data forced to 0. */
function ttlTable(ttlSeconds: Record<string, number>): Record<string, number> {
  const table: Record<string, number> = {};
  for (const [coordinate, seconds] of Object.entries(ttlSeconds)) table[coordinate] = seconds * 1_000;
  return { ...table, ...NEVER_CACHED };
}

/**
 * Can this document's result be cached at all? Only when it selects something with a
 * positive TTL and nothing with TTL 0 (the plugin takes the smallest TTL in the tree, and
 * the global TTL is 0). Conservative: a result it rejects is never looked up nor stored,
 * so uncacheable operations (viewer, keyUsage, health...) cost no cache round trip and
 * do not count as misses.
 */
function isCacheableDocument(document: DocumentNode, schema: GraphQLSchema, ttls: Record<string, number>): boolean {
  let positive = false;
  let zero = false;
  const consider = (ttl: number | undefined) => {
    if (ttl === undefined) return;
    if (ttl > 0) positive = true;
    else zero = true;
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent) consider(ttls[`${parent.name}.${node.name.value}`]);
        const type = typeInfo.getType();
        if (!type) return;
        const named = getNamedType(type);
        if (isAbstractType(named)) {
          // Which member arrives is known only from the result: the plugin checks each one then.
          if (schema.getPossibleTypes(named).some((member) => (ttls[member.name] ?? 0) > 0)) positive = true;
          consider(ttls[named.name]);
        } else {
          consider(ttls[named.name]);
        }
      },
    }),
  );
  return positive && !zero;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The caller's cache session. The plugin builds the cache key while parsing the request,
 * before the context (and `principal`) exists, so it cannot use `principal.keyId`: it uses a
 * hash of the credential instead, which maps to exactly one principal and is finer than
 * `keyId` (two JWTs of one subject with different claims never share entries). Lookups
 * themselves happen only at execution, after authentication (see `enabled`).
 */
function sessionOf(request: Request): string {
  const credential = credentialOf({ request });
  return credential ? `c:${sha256(credential)}` : 'anonymous';
}

type CachedResult = ExecutionResult<Record<string, unknown>, { http?: { headers?: Record<string, string> } } & Record<string, unknown>>;

/** Does an If-None-Match header value name this ETag (`*`, a list, weak or strong)? */
function matchesEtag(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}

/**
 * Per-caller response cache for queries (`@graphql-yoga/plugin-response-cache`):
 * - HTTP only: websocket operations (no Request) never touch it;
 * - nothing cached unless listed in `ttlSeconds` (global TTL 0); live types and fields forced to 0;
 *   mutations and subscriptions are never cached; results with errors are never stored;
 * - looked up at execution (after authentication, rate limits and validation), never before:
 *   the plugin's own pre-parse lookup and its pre-auth `If-None-Match` answer are disabled;
 * - ETag on every cacheable result (hash of the caller's cache key and the data, so it changes
 *   with the content and differs per caller); `If-None-Match` with it gets a 304 without a body;
 * - stored in memory, or in Redis under `${keyPrefix}rc:` (see `createRedisResponseCache`).
 */
export function useQueryCache(options: QueryCacheOptions): Plugin {
  const { config, onLookup } = options;
  if (!config.enabled) return {};
  const ttls = ttlTable(config.ttlSeconds);
  // Type names go with the coordinates: the plugin merges `ttlPerType` into them anyway (and warns it is deprecated).
  const ttlPerSchemaCoordinate = ttls;

  const store: Cache = options.redis ? createRedisResponseCache(options.redis.client, options.redis.keyPrefix) : createInMemoryCache({ max: 10_000 });
  const cache: Cache = {
    async get(key) {
      const cached = await store.get(key);
      onLookup?.(cached != null);
      return cached;
    },
    set: (key, data, entities, ttl) => store.set(key, data, entities, ttl),
    invalidate: (entities) => store.invalidate(entities),
  };

  /** Execution contexts of HTTP queries whose result may be cached (set just before the plugin's own onExecute). */
  const cacheable = new WeakSet<object>();
  const documentVerdicts = new WeakMap<DocumentNode, boolean>();
  /** The TTL the plugin just computed; `onTtl` and `shouldCacheResult` run back to back, synchronously. */
  let pendingTtl: number | undefined;
  const etags = new WeakMap<object, string>();

  const responseCache = useResponseCache<Record<string, unknown>>({
    cache,
    ttl: 0,
    ttlPerSchemaCoordinate,
    includeExtensionMetadata: false,
    session: (request) => sessionOf(request),
    // Only at execution, for HTTP queries that can be cached: before that (request parsing) the caller is unknown.
    enabled: (request, context) => request != null && cacheable.has(context),
    onTtl: ({ ttl }) => {
      pendingTtl = ttl;
      return ttl;
    },
    // Never errors; never a result whose TTL came out 0 (so it gets no ETag either).
    shouldCacheResult: ({ result }) => {
      const ttl = pendingTtl;
      pendingTtl = undefined;
      return !result.errors?.length && ttl !== undefined && ttl > 0;
    },
  });
  // The plugin answers `If-None-Match` from any cache entry before authentication, for anyone who knows the
  // ETag: replaced by the check in onResultProcess, on this caller's own (authenticated) result.
  const { onRequest: _preAuthConditional, ...plugin } = responseCache;

  return {
    ...plugin,
    onExecute({ args }) {
      const context = args.contextValue as { request?: Request } | undefined;
      if (!context || context.request == null) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      let verdict = documentVerdicts.get(args.document);
      if (verdict === undefined) {
        verdict = isCacheableDocument(args.document, args.schema, ttls);
        documentVerdicts.set(args.document, verdict);
      }
      if (verdict) cacheable.add(context);
    },
    onResultProcess({ request, result, setResult, resultProcessor, setResultProcessor }) {
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      const single = result as CachedResult;
      const headers = single.extensions?.http?.headers;
      const cacheKey = headers?.ETag;
      if (!headers || !cacheKey) return;
      // The stored object may be shared by every hit: computed once, never mutated.
      let etag = etags.get(single);
      if (etag === undefined) {
        etag = `"${sha256(`${cacheKey}\n${JSON.stringify(single.data ?? null)}`)}"`;
        etags.set(single, etag);
      }
      const ifNoneMatch = request.headers.get('if-none-match');
      if (ifNoneMatch && resultProcessor && matchesEtag(ifNoneMatch, etag)) {
        const lastModified = headers['Last-Modified'];
        setResultProcessor(
          (_result, fetchAPI) => new fetchAPI.Response(null, { status: 304, headers: { ETag: etag, ...(lastModified ? { 'Last-Modified': lastModified } : {}) } }),
          'application/json',
        );
        return;
      }
      setResult({ ...single, extensions: { ...single.extensions, http: { ...single.extensions?.http, headers: { ...headers, ETag: etag } } } });
    },
  };
}
