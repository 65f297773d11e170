import { emptyUsageRow } from '../empty-usage-row.js';
import { sortUsageRows, toInteger, uniqueDays } from '../store-order.js';
import { USAGE_COUNTERS, type UsageRow, type UsageStore } from '../store-types.js';

/**
 * Usage counters in one process: subject → day → model → row. Unlike Redis
 * there is no 400-day expiry: a process does not live that long.
 */
export function createMemoryUsage(): UsageStore {
  const byKey = new Map<string, Map<string, Map<string, UsageRow>>>();

  return {
    async add(increment) {
      let byDay = byKey.get(increment.subject);
      if (!byDay) byKey.set(increment.subject, (byDay = new Map()));
      let byModel = byDay.get(increment.day);
      if (!byModel) byDay.set(increment.day, (byModel = new Map()));
      let row = byModel.get(increment.model);
      if (!row) {
        row = emptyUsageRow(increment.model, increment.day);
        byModel.set(increment.model, row);
      }
      for (const counter of USAGE_COUNTERS) row[counter] += toInteger(increment[counter]);
    },

    async read(subject, days) {
      const byDay = byKey.get(subject);
      const rows: UsageRow[] = [];
      for (const day of uniqueDays(days)) {
        // Copies: callers must not be able to change the stored counters.
        for (const row of byDay?.get(day)?.values() ?? []) rows.push({ ...row });
      }
      return sortUsageRows(rows, days);
    },
  };
}
