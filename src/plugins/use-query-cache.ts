import type { Cluster, Redis } from 'ioredis';
import type { Plugin } from 'graphql-yoga';
import type { CacheConfig } from '../config/config-schema.js';

export interface QueryCacheOptions {
  config: CacheConfig['responses'];
  redis?: { client: Redis | Cluster; keyPrefix: string };
  /** Called on every cacheable lookup (metrics). */
  onLookup?: (hit: boolean) => void;
}

/** STUB: replaced by the response cache implementation. */
export function useQueryCache(_options: QueryCacheOptions): Plugin {
  return {};
}
