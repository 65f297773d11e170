import type { Pool } from 'pg';

/** Dimensions a usage report can be grouped by. */
export const USAGE_GROUP_BY = ['key', 'model', 'provider', 'day'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

/** One group of a usage report; dimensions not grouped by are absent (null). */
export interface UsageReportRow {
  /** `key`, `jwt` or `anonymous` (KEY). */
  kind: string | null;
  key: string | null;
  model: string | null;
  provider: string | null;
  /** `YYYY-MM-DD`, UTC. */
  day: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  /** Integer micro-USD: sums stay exact. */
  costMicros: number;
}

/** Filters of the audit log; all optional. */
export interface AuditLogFilter {
  keyId?: string;
  model?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
}

export interface AuditLogPage {
  /** Newest first. */
  rows: { cursor: string; record: unknown }[];
  hasNextPage: boolean;
}

/** Reports over the system of record (admin). */
export interface UsageReports {
  /** The ledger over `[from, to)`, grouped; groups ordered by their dimensions. */
  usage(from: Date, to: Date, groupBy: readonly UsageGroupBy[]): Promise<UsageReportRow[]>;
  /** One page of the audit log after `after` (a cursor from an earlier page). */
  auditLog(filter: AuditLogFilter, first: number, after?: string): Promise<AuditLogPage>;
}

/** Selected columns per dimension: a key is its kind and id (an API key and a JWT subject may share an id). */
const DIMENSION_SQL: Record<UsageGroupBy, string[]> = {
  key: ['caller_kind AS "kind"', 'caller_id AS "key"'],
  model: ['model AS "model"'],
  provider: ['provider AS "provider"'],
  day: [`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "day"`],
};

/** `<iso time>|<completion id>`, base64url: opaque to clients, stable across pages. */
export function encodeAuditCursor(at: Date, completionId: string): string {
  return Buffer.from(`${at.toISOString()}|${completionId}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function decodeAuditCursor(cursor: string): { at: Date; completionId: string } | undefined {
  const [iso, completionId] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!completionId || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(completionId)) return undefined;
  return { at, completionId };
}

export function createUsageReports(pool: Pool): UsageReports {
  return {
    async usage(from, to, groupBy) {
      const dimensions = USAGE_GROUP_BY.filter((dimension) => groupBy.includes(dimension));
      const selected = dimensions.flatMap((dimension) => DIMENSION_SQL[dimension]);
      const positions = selected.map((_, index) => String(index + 1));
      const sql = `SELECT ${[...selected, 'count(*)::text AS requests', 'sum(prompt_tokens)::text AS prompt', 'sum(completion_tokens)::text AS completion',
        'sum(reasoning_tokens)::text AS reasoning', 'sum(cached_tokens)::text AS cached', 'coalesce(sum(cost_micros), 0)::text AS micros'].join(', ')}
        FROM usage_ledger WHERE at >= $1 AND at < $2
        ${positions.length > 0 ? `GROUP BY ${positions.join(', ')} ORDER BY ${positions.join(', ')}` : ''}`;
      const result = await pool.query<Record<string, string | null>>(sql, [from, to]);
      return result.rows
        .filter((row) => positions.length > 0 || Number(row.requests) > 0)
        .map((row) => ({
          kind: row.kind ?? null,
          key: row.key ?? null,
          model: row.model ?? null,
          provider: row.provider ?? null,
          day: row.day ?? null,
          requests: Number(row.requests),
          promptTokens: Number(row.prompt ?? 0),
          completionTokens: Number(row.completion ?? 0),
          reasoningTokens: Number(row.reasoning ?? 0),
          cachedTokens: Number(row.cached ?? 0),
          costMicros: Number(row.micros ?? 0),
        }));
    },

    async auditLog(filter, first, after) {
      const where: string[] = [];
      const values: unknown[] = [];
      const add = (sql: (placeholder: string) => string, value: unknown) => {
        values.push(value);
        where.push(sql(`$${values.length}`));
      };
      if (filter.keyId !== undefined) add((p) => `caller_id = ${p}`, filter.keyId);
      if (filter.model !== undefined) add((p) => `model = ${p}`, filter.model);
      if (filter.outcome !== undefined) add((p) => `outcome = ${p}`, filter.outcome);
      if (filter.from) add((p) => `at >= ${p}`, filter.from);
      if (filter.to) add((p) => `at < ${p}`, filter.to);
      if (after) {
        const position = decodeAuditCursor(after);
        if (!position) throw new RangeError('after: not a cursor from this connection');
        values.push(position.at, position.completionId);
        where.push(`(at, completion_id) < ($${values.length - 1}, $${values.length}::uuid)`);
      }
      values.push(first + 1);
      const result = await pool.query<{ completion_id: string; at: Date; record: unknown }>(
        `SELECT completion_id, at, record FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY at DESC, completion_id DESC LIMIT $${values.length}`,
        values,
      );
      const rows = result.rows.slice(0, first).map((row) => ({ cursor: encodeAuditCursor(row.at, row.completion_id), record: row.record }));
      return { rows, hasNextPage: result.rows.length > first };
    },
  };
}
