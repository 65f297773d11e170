import type { Cluster, Redis } from 'ioredis';
import { sortKeys } from '../store-order.js';
import type { KeyStore, StoredApiKey } from '../store-types.js';
import type { ScriptedClient } from './lua-scripts.js';

/** A KeyStore plus what the composition root needs to manage its subscription. */
export interface RedisKeyStore extends KeyStore {
  /** Resolves once revocations published by any replica reach this instance. */
  ready(): Promise<void>;
  /** Stops listening (does not quit the subscriber connection: its owner does). */
  close(): Promise<void>;
}

const UNSUBSCRIBE_TIMEOUT_MS = 500;

/**
 * API keys in two hashes: `{keys}:byhash` (secret hash → JSON record) and
 * `{keys}:byid` (id → secret hash). The shared `{keys}` hash tag keeps both
 * on one cluster slot, which the Lua scripts touching both require.
 * Revocations are published on `${prefix}keys:revoked` by the same script that
 * writes them, and every instance (the revoking one too) hears them there.
 */
export function createRedisKeys(client: Redis | Cluster, subscriber: Redis | Cluster, scripts: ScriptedClient, prefix: string): RedisKeyStore {
  const byHash = `${prefix}{keys}:byhash`;
  const byId = `${prefix}{keys}:byid`;
  const channel = `${prefix}keys:revoked`;
  const listeners = new Set<(secretHash: string) => void>();

  // The subscriber may carry other channels: only ours concerns these listeners.
  const onMessage = (from: string, secretHash: string) => {
    if (from !== channel) return;
    for (const listener of listeners) {
      try {
        listener(secretHash);
      } catch {
        // One failing listener must not stop the others (nor throw into ioredis).
      }
    }
  };
  subscriber.on('message', onMessage);
  const subscribed = subscriber.subscribe(channel).then(() => undefined);
  subscribed.catch(() => undefined); // surfaced through ready(); unhandled otherwise

  const parse = (json: string | null) => (json === null ? undefined : (JSON.parse(json) as StoredApiKey));

  return {
    async findByHash(secretHash) {
      return parse(await client.hget(byHash, secretHash));
    },

    async findById(id) {
      const secretHash = await client.hget(byId, id);
      return secretHash === null ? undefined : parse(await client.hget(byHash, secretHash));
    },

    async list() {
      return sortKeys((await client.hvals(byHash)).map((json) => JSON.parse(json) as StoredApiKey));
    },

    async create(key) {
      return (await scripts.switchboardKeyCreate(byHash, byId, key.id, key.secretHash, JSON.stringify(key))) === 1;
    },

    async upsertFromConfig(key) {
      const revoked = key.revokedAt === undefined ? '0' : '1';
      await scripts.switchboardKeyUpsert(byHash, byId, key.id, key.secretHash, JSON.stringify(key), revoked);
    },

    async revoke(id, at) {
      return parse(await scripts.switchboardKeyRevoke(byHash, byId, id, at, channel));
    },

    onRevoked(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    ready: () => subscribed,

    async close() {
      subscriber.off('message', onMessage);
      listeners.clear();
      // Bounded: while Redis is down ioredis would queue UNSUBSCRIBE until it is back.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, UNSUBSCRIBE_TIMEOUT_MS)));
      await Promise.race([subscriber.unsubscribe(channel).catch(() => undefined), timeout]);
      clearTimeout(timer);
    },
  };
}
