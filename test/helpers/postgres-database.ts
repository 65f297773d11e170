import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A throwaway database on the machine's PostgreSQL, dropped by `drop()`. */
export interface TestDatabase {
  /** `postgres://…/<name>` */
  url: string;
  name: string;
  /** Runs one statement against the test database (its own short-lived client). */
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<Row[]>;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Server URL without a database name: PGHOST/PGPORT/PGUSER, else 127.0.0.1:5432 as postgres (trust auth). */
export function postgresServerUrl(): string {
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const user = process.env.PGUSER ?? 'postgres';
  const password = process.env.PGPASSWORD ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  return `postgres://${user}${password}@${host}:${port}`;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `sb_test_<random>` and returns its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = `${postgresServerUrl()}/${name}`;
  return {
    url,
    name,
    async query<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<Row>(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
