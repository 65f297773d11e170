import { createRequire } from 'node:module';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { RedisConfig } from './config/config-schema.js';

/** ioredis, loaded by the first gateway that has Redis configured: a single-machine gateway never pays its memory. */
const loadIoredis = (): typeof import('ioredis') => createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

/** A command client and a separate subscriber connection (a subscribed connection can run nothing else). */
export interface RedisClients {
  client: Redis | Cluster;
  subscriber: Redis | Cluster;
  close(): Promise<void>;
}

/**
 * Fail fast instead of queueing forever while Redis is away: a command gets one
 * retry and at most a second, so limits can apply their outage policy at once.
 */
const COMMON: RedisOptions = {
  maxRetriesPerRequest: 1,
  commandTimeout: 1_000,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 200, 2_000),
};

function hostPort(node: string): { host: string; port: number } {
  const [host = '127.0.0.1', port = '6379'] = node.split(':');
  return { host, port: Number(port) };
}

/** Standalone (url), Cluster (seed nodes) or Sentinel, from the config. */
export function createRedisClients(config: RedisConfig): RedisClients {
  const { Redis, Cluster } = loadIoredis();
  const connect = (): Redis | Cluster => {
    if (config.cluster) return new Cluster(config.cluster.map(hostPort), { redisOptions: COMMON });
    if (config.sentinel) {
      return new Redis({
        ...COMMON,
        name: config.sentinel.name,
        sentinels: config.sentinel.nodes.map(hostPort),
        ...(config.sentinel.password ? { sentinelPassword: config.sentinel.password } : {}),
      });
    }
    return new Redis(config.url as string, COMMON);
  };
  const client = connect();
  const subscriber = connect();
  // Errors surface through failing commands (and the outage policy); without a
  // listener ioredis would report each reconnect attempt as an unhandled error.
  client.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  return {
    client,
    subscriber,
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
      client.disconnect();
      subscriber.disconnect();
    },
  };
}
