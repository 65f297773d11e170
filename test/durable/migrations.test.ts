import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/create-logger.js';
import { createDatabase, MIGRATIONS_TABLE } from '../../src/durable/create-database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';

const logger = createLogger({ level: 'silent' });
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('migrations', () => {
  it('two replicas starting together apply each migration exactly once', async () => {
    const replicas = Array.from({ length: 3 }, () => createDatabase({ url: db.url, poolSize: 2, ledger: { batchSize: 500, flushIntervalMs: 200, maxBuffered: 1_000 }, epochCheckMs: 2_000 }, logger));
    try {
      const applied = await Promise.all(replicas.map((replica) => replica.migrate()));
      // One replica ran them; the others waited on the advisory lock and found nothing left to do.
      expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
      const rows = await db.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
      expect(rows.map((row) => row.name)).toEqual(applied.find((names) => names.length > 0));
      const tables = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      expect(tables.map((row) => row.table_name)).toEqual(['api_keys', 'audit_log', MIGRATIONS_TABLE, 'usage_ledger']);
      // A later start applies nothing.
      expect(await replicas[0]!.migrate()).toEqual([]);
      expect(await replicas[0]!.ping()).toBe(true);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
