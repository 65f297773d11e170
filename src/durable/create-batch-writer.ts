import type { Logger } from '../create-logger.js';

/** What a batch writer is told to do. */
export interface BatchWriterOptions<Row> {
  /** Writes one batch; must be idempotent (a batch whose answer was lost is sent again). */
  write(rows: Row[]): Promise<void>;
  /** Rows per write. @default 500 */
  batchSize?: number;
  /** How often a partial batch is written, in milliseconds. @default 200 */
  flushIntervalMs?: number;
  /** Rows held while writes fail; beyond it the oldest are dropped, counted and logged. @default 100_000 */
  maxBuffered?: number;
  /** Pause after a failed write before the next try, in milliseconds. @default 1_000 */
  retryDelayMs?: number;
  /** Names the writer in logs, e.g. "usage ledger". */
  name: string;
  logger: Logger;
}

/** Rows queued on the hot path and written behind it. */
export interface BatchWriter<Row> {
  /** Queues one row; never waits, never throws. */
  push(row: Row): void;
  /** Rows not written yet: waiting, or in a write still in flight. */
  readonly buffered: number;
  /** Rows dropped because the buffer was full, since start. */
  readonly dropped: number;
  /** Writes until the buffer is empty or a write fails (then the rows stay buffered). */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  close(): Promise<void>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** At most one "dropping" log line per this many milliseconds. */
const DROP_LOG_EVERY_MS = 10_000;

/**
 * A bounded in-memory queue drained in batches on an unref'd timer. While the
 * store fails, rows stay queued (up to `maxBuffered`) and are retried; the
 * outage and its end are logged once each.
 */
export function createBatchWriter<Row>(options: BatchWriterOptions<Row>): BatchWriter<Row> {
  const { logger, name } = options;
  const batchSize = options.batchSize ?? 500;
  const maxBuffered = options.maxBuffered ?? 100_000;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  let buffer: Row[] = [];
  /** Rows of the batch being written: still not stored (a write to an unreachable database can hang). */
  let inFlight = 0;
  let writing: Promise<boolean> | undefined;
  let failing = false;
  let retryAt = 0;
  let dropped = 0;
  let lastDropLogAt = 0;
  let droppedSinceLog = 0;

  function trim(): void {
    const excess = buffer.length - maxBuffered;
    if (excess <= 0) return;
    buffer = buffer.slice(excess);
    dropped += excess;
    droppedSinceLog += excess;
    const now = Date.now();
    if (now - lastDropLogAt >= DROP_LOG_EVERY_MS) {
      logger.error({ dropped: droppedSinceLog, droppedTotal: dropped, maxBuffered }, `${name}: buffer full while the database is unreachable; dropping the oldest rows`);
      lastDropLogAt = now;
      droppedSinceLog = 0;
    }
  }

  /** One batch; true when it was written. */
  async function writeOne(): Promise<boolean> {
    const batch = buffer.splice(0, batchSize);
    if (batch.length === 0) return true;
    inFlight = batch.length;
    try {
      await options.write(batch);
      inFlight = 0;
      if (failing) {
        failing = false;
        logger.warn({ buffered: buffer.length }, `${name}: database reachable again; draining the buffer`);
      }
      return true;
    } catch (error: unknown) {
      inFlight = 0;
      buffer = batch.concat(buffer);
      trim();
      if (!failing) logger.error({ err: messageOf(error), buffered: buffer.length }, `${name}: database unreachable; rows are buffered in memory and retried`);
      failing = true;
      retryAt = Date.now() + retryDelayMs;
      return false;
    }
  }

  async function drain(): Promise<boolean> {
    while (buffer.length > 0) if (!(await writeOne())) return false;
    return true;
  }

  function tick(): void {
    if (writing || buffer.length === 0 || Date.now() < retryAt) return;
    writing = drain().finally(() => (writing = undefined));
  }

  const timer = setInterval(tick, options.flushIntervalMs ?? 200);
  timer.unref();

  return {
    push(row) {
      buffer.push(row);
      if (buffer.length > maxBuffered) trim();
      // A full batch goes now; smaller ones wait for the timer (fewer, larger INSERTs).
      if (buffer.length >= batchSize && !failing) queueMicrotask(tick);
    },
    get buffered() {
      return buffer.length + inFlight;
    },
    get dropped() {
      return dropped;
    },
    async flush() {
      while (writing) await writing;
      writing = drain().finally(() => (writing = undefined));
      await writing;
    },
    async close() {
      clearInterval(timer);
      await this.flush();
      if (buffer.length > 0) logger.error({ lost: buffer.length }, `${name}: stopping with rows the database never received; they are lost`);
    },
  };
}
