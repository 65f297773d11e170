import type { Cluster, Redis } from 'ioredis';
import { emptyUsageRow } from '../empty-usage-row.js';
import { sortUsageRows, toInteger, uniqueDays } from '../store-order.js';
import { defineScripts } from './lua-scripts.js';
import { USAGE_COUNTERS, type UsageCounter, type UsageRow, type UsageStore } from '../store-types.js';

/** Long enough for a year of reports, short enough that dead keys go away. */
const RETENTION_SECONDS = 400 * 24 * 60 * 60;

const isCounter = (name: string): name is UsageCounter => (USAGE_COUNTERS as readonly string[]).includes(name);

/**
 * Usage as one hash per subject and day, `${prefix}usage:{subject}:day`, fields
 * `${model}|${counter}`. The braces are a cluster hash tag: all days of a subject
 * share a slot, so reading several days is one pipeline. Model ids may contain
 * `|` and `:`; counter names cannot, so fields split at the LAST `|`. A counter
 * added later is simply absent from older hashes and reads as 0; a field this
 * version does not know (written by a newer replica) is ignored.
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
        RETENTION_SECONDS,
        ...USAGE_COUNTERS.flatMap((counter) => [counter, toInteger(increment[counter])]),
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
          const counter = field.slice(cut + 1);
          if (!isCounter(counter)) continue;
          let row = byModel.get(model);
          if (!row) byModel.set(model, (row = emptyUsageRow(model, day)));
          row[counter] = Number(value);
        }
        rows.push(...byModel.values());
      });
      return sortUsageRows(rows, days);
    },
  };
}
