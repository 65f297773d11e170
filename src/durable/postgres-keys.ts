import type { Pool } from 'pg';
import type { StoredApiKey } from '../stores/store-types.js';

/**
 * API keys of record in `api_keys`: keys created at runtime, and revocations of
 * config keys (so a revoked config key stays revoked when Redis comes back
 * empty). Only the SHA-256 of a secret is ever stored.
 */
export interface DurableKeys {
  /** Inserts a runtime key; false when its id or secret hash is taken. */
  insert(key: StoredApiKey): Promise<boolean>;
  /** Deletes a row `insert` just wrote, when the hot store refused the key after all. */
  remove(id: string): Promise<void>;
  /** Records a revocation (inserting the key when it came from the config); an earlier revocation time wins. */
  revoke(key: StoredApiKey, at: string): Promise<void>;
  /** Every row, oldest first. */
  list(): Promise<StoredApiKey[]>;
}

interface KeyRow {
  id: string;
  secret_hash: string;
  scopes: string[];
  models: string[];
  limits: StoredApiKey['limits'];
  source: StoredApiKey['source'];
  created_at: Date;
  revoked_at: Date | null;
}

function fromRow(row: KeyRow): StoredApiKey {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    scopes: row.scopes,
    models: row.models,
    limits: row.limits,
    createdAt: row.created_at.toISOString(),
    ...(row.revoked_at ? { revokedAt: row.revoked_at.toISOString() } : {}),
    source: row.source,
  };
}

const INSERT = `INSERT INTO api_keys (id, secret_hash, scopes, models, limits, source, created_at, revoked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

export function createDurableKeys(pool: Pool): DurableKeys {
  const values = (key: StoredApiKey, revokedAt: string | null) => [
    key.id,
    key.secretHash,
    JSON.stringify(key.scopes),
    JSON.stringify(key.models),
    JSON.stringify(key.limits),
    key.source,
    key.createdAt,
    revokedAt,
  ];
  return {
    async insert(key) {
      const result = await pool.query(`${INSERT} ON CONFLICT DO NOTHING`, values(key, key.revokedAt ?? null));
      return result.rowCount === 1;
    },
    async remove(id) {
      await pool.query('DELETE FROM api_keys WHERE id = $1', [id]);
    },
    async revoke(key, at) {
      await pool.query(
        `${INSERT} ON CONFLICT (id) DO UPDATE SET revoked_at = COALESCE(api_keys.revoked_at, EXCLUDED.revoked_at)`,
        values(key, key.revokedAt ?? at),
      );
    },
    async list() {
      const result = await pool.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
      return result.rows.map(fromRow);
    },
  };
}
