import type { Cluster, Redis } from 'ioredis';
import { sortUsageRows, toInteger, uniqueDays } from '../store-order.js';
import type { UsageRow, UsageStore } from '../store-types.js';

/** Long enough for a year of reports, short enough that dead keys go away. */
const RETENTION_SECONDS = 400 * 24 * 60 * 60;

const COUNTERS = ['requests', 'promptTokens', 'completionTokens', 'costMicros'] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * Usage as one hash per key and day, `${prefix}usage:{keyId}:day`, fields
 * `${model}|${counter}`. The braces are a cluster hash tag: all days of a key
 * share a slot, so reading several days is one pipeline. Model ids may contain
 * `|` and `:`; counter names cannot, so fields split at the LAST `|`.
 */
export function createRedisUsage(client: Redis | Cluster, prefix: string): UsageStore {
  const hashKey = (keyId: string, day: string) => `${prefix}usage:{${keyId}}:${day}`;

  return {
    async add(increment) {
      const key = hashKey(increment.keyId, increment.day);
      const transaction = client.multi();
      // MULTI: a reader never sees a request counted without its tokens and cost.
      for (const counter of COUNTERS) transaction.hincrby(key, `${increment.model}|${counter}`, toInteger(increment[counter]));
      transaction.expire(key, RETENTION_SECONDS);
      const results = await transaction.exec();
      const failure = results?.find(([error]) => error)?.[0];
      if (failure) throw failure;
    },

    async read(keyId, days) {
      const wanted = uniqueDays(days);
      const pipeline = client.pipeline();
      for (const day of wanted) pipeline.hgetall(hashKey(keyId, day));
      const results = (await pipeline.exec()) ?? [];
      const rows: UsageRow[] = [];
      wanted.forEach((day, index) => {
        const [error, hash] = results[index] ?? [];
        if (error) throw error;
        const byModel = new Map<string, UsageRow>();
        for (const [field, value] of Object.entries((hash ?? {}) as Record<string, string>)) {
          const cut = field.lastIndexOf('|');
          const model = field.slice(0, cut);
          let row = byModel.get(model);
          if (!row) byModel.set(model, (row = { model, day, requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0 }));
          row[field.slice(cut + 1) as Counter] = Number(value);
        }
        rows.push(...byModel.values());
      });
      return sortUsageRows(rows, days);
    },
  };
}
