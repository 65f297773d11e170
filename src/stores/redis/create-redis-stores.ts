import type { Cluster, Redis } from 'ioredis';
import type { Stores } from '../store-types.js';
import { defineScripts } from './lua-scripts.js';
import { createRedisBudgets } from './redis-budgets.js';
import { createRedisKeys } from './redis-keys.js';
import { createRedisLeases } from './redis-leases.js';
import { createRedisRateLimits } from './redis-rate-limits.js';
import { createRedisUsage } from './redis-usage.js';

export interface RedisStoresOptions {
  /** Commands. Owned by the caller: close() leaves it open. */
  client: Redis | Cluster;
  /** A separate connection for pub/sub (a subscribed connection cannot run commands). */
  subscriber: Redis | Cluster;
  /** Prepended to every key and channel, e.g. "sb:". */
  keyPrefix: string;
  /** How long ping() waits for PONG; default 500 ms. */
  pingTimeoutMs?: number;
}

export interface RedisStores extends Stores {
  readonly backend: 'redis';
  /** Resolves once this instance receives revocations from every replica. */
  ready(): Promise<void>;
}

/**
 * Every store on Redis, shared by all replicas. Opens no connections: the
 * composition root injects both and quits them after close().
 */
export function createRedisStores(options: RedisStoresOptions): RedisStores {
  const { client, subscriber, keyPrefix } = options;
  const pingTimeoutMs = options.pingTimeoutMs ?? 500;
  const scripts = defineScripts(client);
  const keys = createRedisKeys(client, subscriber, scripts, keyPrefix);

  return {
    backend: 'redis',
    rateLimits: createRedisRateLimits(scripts, keyPrefix),
    budgets: createRedisBudgets(client, scripts, keyPrefix),
    leases: createRedisLeases(scripts, keyPrefix),
    usage: createRedisUsage(client, keyPrefix),
    keys,
    ready: () => keys.ready(),

    async ping() {
      // Bounded: while Redis is down ioredis queues commands instead of failing them.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), pingTimeoutMs)));
      const pong = client.ping().then(
        (reply) => reply === 'PONG',
        () => false,
      );
      try {
        return await Promise.race([pong, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    close: () => keys.close(),
  };
}
