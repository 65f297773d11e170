import { sortKeys } from '../store-order.js';
import type { KeyStore, StoredApiKey } from '../store-types.js';

/**
 * API keys in one process. Records are kept as JSON, as in Redis, so callers
 * always get a fresh copy and both backends return exactly the same shapes.
 */
export function createMemoryKeys(): KeyStore {
  const jsonByHash = new Map<string, string>();
  const hashById = new Map<string, string>();
  const listeners = new Set<(secretHash: string) => void>();

  function byHash(secretHash: string | undefined): StoredApiKey | undefined {
    const json = secretHash === undefined ? undefined : jsonByHash.get(secretHash);
    return json === undefined ? undefined : (JSON.parse(json) as StoredApiKey);
  }

  function put(key: StoredApiKey): void {
    jsonByHash.set(key.secretHash, JSON.stringify(key));
    hashById.set(key.id, key.secretHash);
  }

  return {
    async findByHash(secretHash) {
      return byHash(secretHash);
    },

    async findById(id) {
      return byHash(hashById.get(id));
    },

    async list() {
      return sortKeys([...jsonByHash.values()].map((json) => JSON.parse(json) as StoredApiKey));
    },

    async create(key) {
      // A taken secret hash is refused too: creating must never overwrite another key.
      if (hashById.has(key.id) || jsonByHash.has(key.secretHash)) return false;
      put(key);
      return true;
    },

    async upsertFromConfig(key) {
      const previousHash = hashById.get(key.id);
      const previous = byHash(previousHash);
      // A runtime revocation outlives config reloads, even when the secret changed.
      const revokedAt = key.revokedAt ?? previous?.revokedAt;
      if (previousHash !== undefined && previousHash !== key.secretHash) jsonByHash.delete(previousHash);
      put(revokedAt === undefined ? key : { ...key, revokedAt });
    },

    async revoke(id, at) {
      const secretHash = hashById.get(id);
      const key = byHash(secretHash);
      if (!key || secretHash === undefined) return undefined;
      // Revoking twice keeps the first time; listeners still hear about it (they are idempotent).
      if (key.revokedAt === undefined) {
        key.revokedAt = at;
        put(key);
      }
      for (const listener of listeners) {
        try {
          listener(secretHash);
        } catch {
          // One failing listener must not stop the others nor fail the revocation.
        }
      }
      return key;
    },

    onRevoked(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
