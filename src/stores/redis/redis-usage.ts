import type { Cluster, Redis } from 'ioredis';
import { sortUsageRows, toInteger, uniqueDays } from '../store-order.js';
import { defineScripts } from './lua-scripts.js';
import type { UsageRow, UsageStore } from '../store-types.js';

/** Long enough for a year of reports, short enough that dead keys go away. */
const RETENTION_SECONDS = 400 * 24 * 60 * 60;

type Counter = 'requests' | 'promptTokens' | 'completionTokens' | 'costMicros';

/**
 * Usage as one hash per subject and day, `${prefix}usage:{subject}:day`, fields
 * `${model}|${counter}`. The braces are a cluster hash tag: all days of a subject
 * share a slot, so reading several days is one pipeline. Model ids may contain
 * `|` and `:`; counter names cannot, so fields split at the LAST `|`.
 */
export function createRedisUsage(client: Redis | Cluster, prefix: string): UsageStore {
  const hashKey = (subject: string, day: string) => `${prefix}usage:{${subject}}:${day}`;
  const scripted = defineScripts(client);

  return {
    async add(increment) {
      // One script: a reader never sees a request counted without its tokens and cost,
      // and a replayed increment (same id) is not counted twice.
      await scripted.switchboardUsageAdd(
        hashKey(increment.subject, increment.day),
        `${prefix}usage:{${increment.subject}}:seen:${increment.id}`,
        increment.model,
        toInteger(increment.requests),
        toInteger(increment.promptTokens),
        toInteger(increment.completionTokens),
        toInteger(increment.costMicros),
        RETENTION_SECONDS,
      );
    },

    async read(subject, days) {
      const wanted = uniqueDays(days);
      const pipeline = client.pipeline();
      for (const day of wanted) pipeline.hgetall(hashKey(subject, day));
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
