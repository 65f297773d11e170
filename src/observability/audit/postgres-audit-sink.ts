import type { Pool } from 'pg';
import type { Logger } from '../../create-logger.js';
import { createBatchWriter } from '../../durable/create-batch-writer.js';
import type { AuditRecord } from './audit-record.js';

/** How often records older than the retention are deleted, in milliseconds. */
export const RETENTION_SWEEP_MS = 3_600_000;
/** The first sweep waits this long after start, in milliseconds (migrations run first). */
const FIRST_SWEEP_MS = 60_000;

export interface PostgresAuditSink {
  /** Queues one record; never waits, never throws. */
  write(completionId: string, record: AuditRecord): void;
  flush(): Promise<void>;
  /** Deletes records older than the retention; returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

interface Row {
  completionId: string;
  record: AuditRecord;
}

const INSERT = `INSERT INTO audit_log (completion_id, at, caller_id, model, outcome, record)
SELECT id, at, caller, model, outcome, record FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
  AS batch(id, at, caller, model, outcome, record)
ON CONFLICT (completion_id) DO NOTHING`;

/**
 * The audit log of record (`audit.sink: postgres`): the same AuditRecord as
 * the other sinks, in `audit_log` with columns to filter on, batched behind
 * the request like the usage ledger, kept `retentionDays` days.
 */
export function createPostgresAuditSink(options: { pool: Pool; retentionDays: number; logger: Logger }): PostgresAuditSink {
  const { pool, logger } = options;
  const writer = createBatchWriter<Row>({
    name: 'audit log',
    logger,
    write: async (rows) => {
      await pool.query(INSERT, [
        rows.map((row) => row.completionId),
        rows.map((row) => row.record.time),
        rows.map((row) => row.record.keyId),
        rows.map((row) => row.record.model),
        rows.map((row) => row.record.outcome),
        rows.map((row) => JSON.stringify(row.record)),
      ]);
    },
  });
  async function sweep(): Promise<number> {
    const result = await pool.query(`DELETE FROM audit_log WHERE at < now() - make_interval(days => $1)`, [options.retentionDays]);
    return result.rowCount ?? 0;
  }
  const runSweep = () =>
    void sweep().then(
      (deleted) => deleted > 0 && logger.info({ deleted, retentionDays: options.retentionDays }, 'audit records past retention deleted'),
      (error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not delete audit records past retention'),
    );
  const first = setTimeout(runSweep, FIRST_SWEEP_MS).unref();
  const every = setInterval(runSweep, RETENTION_SWEEP_MS).unref();
  return {
    write: (completionId, record) => writer.push({ completionId, record }),
    flush: () => writer.flush(),
    sweep,
    async close() {
      clearTimeout(first);
      clearInterval(every);
      await writer.close();
    },
  };
}
