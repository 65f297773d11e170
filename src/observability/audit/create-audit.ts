import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { AuditConfig } from '../../config/config-schema.js';
import type { Logger } from '../../create-logger.js';
import type { Attempt } from '../../routing/attempt.js';
import type { GatewayChatRequest } from '../../services/chat-types.js';
import { NOOP_ATTEMPT, type ChatObserver, type CompletionRecord, type RequestObservation } from '../../services/chat-observer.js';
import { toAuditRecord, type AuditRecord } from './audit-record.js';
import { createPostgresAuditSink } from './postgres-audit-sink.js';
import { createRedisAuditSink } from './redis-audit-sink.js';

export type { AuditAttempt, AuditRecord } from './audit-record.js';

/** One audit record per completion, to stdout, a Redis Stream or PostgreSQL. */
export interface Audit {
  observer: ChatObserver | undefined;
  /** Which sink records go to. */
  sink: 'stdout' | 'redis' | 'postgres' | 'off';
  /** Writes what is buffered. */
  flush(): Promise<void>;
}

export interface AuditDeps {
  config: AuditConfig;
  logger: Logger;
  redis?: { client: Redis | Cluster; keyPrefix: string };
  /** The system of record's pool, when a database is configured. */
  postgres?: { pool: Pool };
}

/** The stream's key under the Redis key prefix. */
export const AUDIT_STREAM = 'audit';


/**
 * The audit trail: one `AuditRecord` per completion (see its JSDoc for the
 * fields), to the sink the config picks:
 * - `stdout`: a log line through the given logger at info, `{ audit: record }`, msg `completion`;
 * - `redis`: `XADD <keyPrefix>audit MAXLEN ~ <maxLength> * record <json>`, batched off the hot path;
 * - `postgres`: a row in `audit_log` (the audit log of record, queryable as `auditLog`), batched, kept `retentionDays`;
 * - `auto`: `postgres` when a database is configured, else `redis` when Redis is, else `stdout`;
 * - `off`: no observer at all.
 */
/** One completion's audit record, written when it is over (a class: an open stream holds no closures for it). */
class AuditObservation implements RequestObservation {
  constructor(
    private readonly write: (record: AuditRecord, completionId: string) => void,
    private readonly logger: Logger,
    /** The request, when `audit.includeContent` asks for it. */
    private readonly body: GatewayChatRequest | undefined,
    private readonly completionId: string,
  ) {}

  attemptStarted(): (attempt: Attempt) => void {
    return NOOP_ATTEMPT;
  }

  finished(record: CompletionRecord): void {
    try {
      this.write(toAuditRecord(record, { time: new Date(), ...(this.body ? { body: this.body } : {}) }), this.completionId);
    } catch (error: unknown) {
      // Auditing must never break a completion.
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'could not write an audit record');
    }
  }
}

export function createAudit(deps: AuditDeps): Audit {
  const { config, logger } = deps;
  const sinkName = config.sink === 'auto' ? (deps.postgres ? 'postgres' : deps.redis ? 'redis' : 'stdout') : config.sink;
  if (sinkName === 'off') return { observer: undefined, sink: 'off', flush: async () => undefined };

  let write: (record: AuditRecord, completionId: string) => void;
  let flush: () => Promise<void> = async () => undefined;
  if (sinkName === 'postgres') {
    if (!deps.postgres) throw new Error('audit.sink is "postgres" but no database is configured: set `database.url` or choose another audit sink.');
    const sink = createPostgresAuditSink({ pool: deps.postgres.pool, retentionDays: config.retentionDays, logger });
    write = (record, completionId) => sink.write(completionId, record);
    flush = () => sink.flush();
  } else if (sinkName === 'redis') {
    if (!deps.redis) throw new Error('audit.sink is "redis" but no Redis is configured: set `redis` or choose another audit sink.');
    const sink = createRedisAuditSink({
      client: deps.redis.client,
      key: `${deps.redis.keyPrefix}${AUDIT_STREAM}`,
      maxLength: config.maxLength,
      logger,
    });
    write = (record) => sink.write(JSON.stringify(record));
    flush = () => sink.flush();
  } else {
    write = (record) => logger.info({ audit: record }, 'completion');
  }

  const observer: ChatObserver = {
    requestStarted(request) {
      const body = config.includeContent ? request.body : undefined;
      return new AuditObservation(write, logger, body, sinkName === 'postgres' ? randomUUID() : '');
    },
  };
  return { observer, sink: sinkName, flush };
}
