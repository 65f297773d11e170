import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../create-logger.js';

/** Records batched into one pipeline. */
export const BATCH_SIZE = 100;
/** How long a record may wait for its batch, in milliseconds. */
export const BATCH_DELAY_MS = 100;
/** Records held while Redis is away; beyond it the oldest are dropped (and counted). */
export const MAX_BUFFERED = 10_000;
/** Pause before writing again after a failed write, in milliseconds. */
export const RETRY_DELAY_MS = 1_000;
/** How long `flush()` waits for Redis, in milliseconds. */
export const FLUSH_TIMEOUT_MS = 3_000;
/** Pause between tries while flushing into a failing Redis, in milliseconds. */
const FLUSH_RETRY_MS = 200;

export interface RedisAuditSink {
  /** Queues one JSON record; never waits and never throws. */
  write(json: string): void;
  /** Writes what is buffered; gives up (keeping it) after `FLUSH_TIMEOUT_MS`. */
  flush(): Promise<void>;
}

export interface RedisAuditSinkOptions {
  client: Redis | Cluster;
  /** The stream's key: `<keyPrefix>audit`. */
  key: string;
  /** `MAXLEN ~` of the stream. */
  maxLength: number;
  logger: Logger;
  batchSize?: number;
  batchDelayMs?: number;
  maxBuffered?: number;
  retryDelayMs?: number;
  flushTimeoutMs?: number;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Appends records to a Redis Stream (`XADD key MAXLEN ~ n * record <json>`),
 * off the hot path: records are buffered and written in pipelined batches on
 * a short, unref'd timer. While Redis fails, records stay buffered (bounded)
 * and are retried; the outage is logged once, and its end once.
 */
export function createRedisAuditSink(options: RedisAuditSinkOptions): RedisAuditSink {
  const { client, key, logger } = options;
  const maxLength = String(options.maxLength);
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const batchDelayMs = options.batchDelayMs ?? BATCH_DELAY_MS;
  const maxBuffered = options.maxBuffered ?? MAX_BUFFERED;
  const retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
  const flushTimeoutMs = options.flushTimeoutMs ?? FLUSH_TIMEOUT_MS;

  let buffer: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<boolean> | undefined;
  let failing = false;
  let dropped = 0;

  function schedule(delayMs: number) {
    if (timer || writing || buffer.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, delayMs);
    timer.unref();
  }

  /** Puts records back at the front (they are older than anything queued since), within the bound. */
  function requeue(records: string[]) {
    buffer = records.concat(buffer);
    trim();
  }

  function trim() {
    const excess = buffer.length - maxBuffered;
    if (excess <= 0) return;
    buffer.splice(0, excess);
    dropped += excess;
  }

  /** One pipelined batch; true when every record of it was written. */
  async function writeBatch(): Promise<boolean> {
    const batch = buffer.splice(0, batchSize);
    if (batch.length === 0) return true;
    let failed: string[] = [];
    let failure: unknown;
    try {
      const pipeline = client.pipeline();
      for (const json of batch) pipeline.xadd(key, 'MAXLEN', '~', maxLength, '*', 'record', json);
      const results = (await pipeline.exec()) ?? [];
      batch.forEach((json, index) => {
        const error = results[index]?.[0] ?? (results[index] ? null : new Error('no reply'));
        if (error) {
          failed.push(json);
          failure ??= error;
        }
      });
    } catch (error: unknown) {
      failed = batch;
      failure = error;
    }
    if (failed.length === 0) return true;
    requeue(failed);
    if (!failing) {
      failing = true;
      logger.warn({ err: messageOf(failure), buffered: buffer.length }, 'audit stream unreachable: records are buffered until Redis is back');
    }
    return false;
  }

  /** Writes batches until the buffer is empty or a write fails; one drain at a time. */
  function drain(): Promise<boolean> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (writing) return writing;
    const run = (async () => {
      while (buffer.length > 0) {
        if (!(await writeBatch())) return false;
      }
      if (failing) {
        failing = false;
        logger.info({ dropped }, 'audit stream reachable again');
        dropped = 0;
      }
      return true;
    })().catch(() => false);
    writing = run;
    void run.then((ok) => {
      writing = undefined;
      // More records may have come meanwhile, or the write failed and is retried later.
      schedule(ok ? batchDelayMs : retryDelayMs);
    });
    return run;
  }

  return {
    write(json) {
      buffer.push(json);
      trim();
      if (buffer.length >= batchSize && !failing) void drain();
      else schedule(failing ? retryDelayMs : batchDelayMs);
    },

    async flush() {
      if (buffer.length === 0 && !writing) return;
      const deadline = Date.now() + flushTimeoutMs;
      const sleep = (ms: number) => new Promise<false>((resolve) => setTimeout(resolve, Math.max(0, ms), false).unref());
      while ((buffer.length > 0 || writing) && Date.now() < deadline) {
        // Bounded even if a command hangs: the wait ends at the deadline.
        if (await Promise.race([drain(), sleep(deadline - Date.now())])) continue;
        // Redis is failing: try again shortly, until the deadline.
        await sleep(Math.min(FLUSH_RETRY_MS, deadline - Date.now()));
      }
      if (buffer.length > 0) {
        logger.warn({ buffered: buffer.length, dropped }, 'audit records could not be written to Redis before shutdown');
      }
    },
  };
}
