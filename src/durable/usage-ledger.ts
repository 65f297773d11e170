import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { DatabaseConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import type { Attempt } from '../routing/attempt.js';
import { NOOP_ATTEMPT, type ChatObserver, type CompletionRecord, type RequestObservation } from '../services/chat-observer.js';
import { createBatchWriter, type BatchWriter } from './create-batch-writer.js';

/** One completion in the ledger (`usage_ledger`); the columns are documented in docs/deployment.md. */
export interface LedgerRow {
  /** Generated per completion: one operation's several chats (or a reused x-request-id) share a request id. */
  completionId: string;
  requestId: string;
  at: Date;
  callerKind: string;
  callerId: string;
  requested: string;
  model: string | null;
  provider: string | null;
  streaming: boolean;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  /** Integer micro-USD, rounded exactly as the budget settles it. */
  costMicros: number;
  cached: boolean;
  outcome: CompletionRecord['outcome'];
  errorCode: string | null;
  attempts: number;
  latencyMs: number;
  ttftMs: number | null;
}

/** The ledger's observer and its writer (for flushing at shutdown and for tests). */
export interface UsageLedger {
  observer: ChatObserver;
  writer: BatchWriter<LedgerRow>;
}

const COLUMNS = [
  ['completion_id', 'uuid'],
  ['request_id', 'text'],
  ['at', 'timestamptz'],
  ['caller_kind', 'text'],
  ['caller_id', 'text'],
  ['requested_model', 'text'],
  ['model', 'text'],
  ['provider', 'text'],
  ['streaming', 'boolean'],
  ['prompt_tokens', 'integer'],
  ['completion_tokens', 'integer'],
  ['reasoning_tokens', 'integer'],
  ['cached_tokens', 'integer'],
  ['cost_micros', 'bigint'],
  ['cached', 'boolean'],
  ['outcome', 'text'],
  ['error_code', 'text'],
  ['attempts', 'smallint'],
  ['latency_ms', 'integer'],
  ['ttft_ms', 'integer'],
] as const;

// One statement per batch whatever its size: one array parameter per column, unnested.
// ON CONFLICT DO NOTHING: a batch re-sent after a lost answer inserts nothing twice.
const INSERT = `INSERT INTO usage_ledger (${COLUMNS.map(([name]) => name).join(', ')})
SELECT * FROM unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ')})
ON CONFLICT (completion_id) DO NOTHING`;

function columnsOf(rows: readonly LedgerRow[]): unknown[][] {
  const columns: unknown[][] = COLUMNS.map(() => new Array(rows.length));
  rows.forEach((row, index) => {
    const values = [
      row.completionId, row.requestId, row.at, row.callerKind, row.callerId, row.requested, row.model, row.provider, row.streaming,
      row.promptTokens, row.completionTokens, row.reasoningTokens, row.cachedTokens, row.costMicros, row.cached, row.outcome,
      row.errorCode, row.attempts, row.latencyMs, row.ttftMs,
    ];
    values.forEach((value, column) => ((columns[column] as unknown[])[index] = value));
  });
  return columns;
}

/** Writes one batch of ledger rows (idempotent by completion id). */
export async function insertLedgerRows(pool: Pool, rows: readonly LedgerRow[]): Promise<void> {
  await pool.query(INSERT, columnsOf(rows));
}

/** The ledger row of a finished completion. */
export function toLedgerRow(completionId: string, callerKind: string, record: CompletionRecord, at: Date): LedgerRow {
  const { usage } = record;
  return {
    completionId,
    requestId: record.requestId,
    at,
    callerKind,
    callerId: record.keyId,
    requested: record.requested,
    model: record.model,
    provider: record.provider,
    streaming: record.streaming,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    cachedTokens: usage?.cachedPromptTokens ?? 0,
    costMicros: Math.round((usage?.costUsd ?? 0) * 1_000_000),
    cached: record.cached,
    outcome: record.outcome,
    errorCode: record.errorCode,
    attempts: record.attempts.length,
    latencyMs: Math.max(0, Math.round(record.latencyMs)),
    ttftMs: record.timeToFirstTokenMs === null ? null : Math.max(0, Math.round(record.timeToFirstTokenMs)),
  };
}

/** One completion's ledger row, queued when it is over. Keeps the caller's kind, not the request (it holds the prompt). */
class LedgerObservation implements RequestObservation {
  constructor(
    private readonly writer: BatchWriter<LedgerRow>,
    private readonly completionId: string,
    private readonly callerKind: string,
  ) {}

  attemptStarted(): (attempt: Attempt) => void {
    return NOOP_ATTEMPT;
  }

  finished(record: CompletionRecord): void {
    this.writer.push(toLedgerRow(this.completionId, this.callerKind, record, new Date()));
  }
}

/**
 * One ledger row per completion, written behind the request: the observer
 * only queues the row; a batch writer inserts it (see createBatchWriter for
 * what happens while PostgreSQL is away).
 */
export function createUsageLedger(deps: { pool: Pool; config: DatabaseConfig['ledger']; logger: Logger }): UsageLedger {
  const writer = createBatchWriter<LedgerRow>({
    name: 'usage ledger',
    logger: deps.logger,
    batchSize: deps.config.batchSize,
    flushIntervalMs: deps.config.flushIntervalMs,
    maxBuffered: deps.config.maxBuffered,
    write: (rows) => insertLedgerRows(deps.pool, rows),
  });
  const observer: ChatObserver = {
    requestStarted(request) {
      return new LedgerObservation(writer, randomUUID(), request.callerKind);
    },
  };
  return { observer, writer };
}
