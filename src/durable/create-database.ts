import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, PoolConfig } from 'pg';
import type { DatabaseConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import { withoutLazyGlobal } from '../without-lazy-global.js';

/** `pg`, loaded by the first gateway that has a database configured: others never pay its memory. */
const loadPg = (): typeof import('pg') => withoutLazyGlobal('Response', () => createRequire(import.meta.url)('pg') as typeof import('pg'));

/**
 * The versioned SQL migrations shipped with the gateway: `migrations/` at the package root, the
 * nearest folder above this module with a package.json (src/durable, dist/modules/durable, or the
 * bundle's dist/chunks).
 */
export const MIGRATIONS_DIR = join(packageRootAbove(dirname(fileURLToPath(import.meta.url))), 'migrations');

function packageRootAbove(folder: string): string {
  for (let at = folder; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) throw new Error(`no package.json above ${folder}`);
  }
}

/** node-pg-migrate's bookkeeping table. */
export const MIGRATIONS_TABLE = 'pgmigrations';

/** The system of record: one pool, migrations, a bounded health check. */
export interface Database {
  readonly pool: Pool;
  /**
   * Runs pending migrations under node-pg-migrate's advisory lock, waiting for
   * it: replicas starting together apply each migration once. Returns the
   * names applied by this call.
   */
  migrate(): Promise<string[]>;
  /** True when `SELECT 1` answers within `timeoutMs` (default 1,000 ms). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Fail fast while PostgreSQL is away: connecting gives up after 2 s and a
 * statement after 10 s, so writers buffer and retry instead of piling up.
 */
const POOL_DEFAULTS: PoolConfig = {
  connectionTimeoutMillis: 2_000,
  idleTimeoutMillis: 10_000,
  statement_timeout: 10_000,
  query_timeout: 12_000,
};

/** Creates the pool (no connection yet: the first query opens one). Called only by the composition root. */
export function createDatabase(config: DatabaseConfig, logger: Logger): Database {
  const { Pool } = loadPg();
  const pool = new Pool({ ...POOL_DEFAULTS, connectionString: config.url, max: config.poolSize });
  // An idle client whose backend died (restart, pg_terminate_backend) emits here; without a
  // listener that would crash the process. The next query simply opens a new connection.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'a PostgreSQL connection was lost; the pool reconnects on next use'));

  return {
    pool,
    async migrate() {
      const { runner } = await import('node-pg-migrate');
      const applied = await runner({
        databaseUrl: config.url,
        dir: MIGRATIONS_DIR,
        migrationsTable: MIGRATIONS_TABLE,
        direction: 'up',
        checkOrder: true,
        singleTransaction: true,
        advisoryLockMode: 'wait',
        logger: { debug: () => undefined, info: () => undefined, warn: (message: string) => logger.warn(message), error: (message: string) => logger.error(message) },
      });
      const names = applied.map((migration) => migration.name);
      if (names.length > 0) logger.info({ migrations: names }, 'database migrations applied');
      return names;
    },
    async ping(timeoutMs = 1_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const answer = pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([answer, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.end(),
  };
}
