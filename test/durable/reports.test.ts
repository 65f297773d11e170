import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/create-logger.js';
import type { AuditRecord } from '../../src/observability/audit/create-audit.js';
import { createPostgresAuditSink } from '../../src/observability/audit/postgres-audit-sink.js';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';
import { ADMIN_KEY, bearer, chat, durableYaml, pollUntil, PRICE, startGateway, USER_KEY, type RunningGateway } from './durable-fixture.js';

/* Admin reports in the graph over the real PostgreSQL: usageReport, the auditLog connection, the apiKeys connection. */

let db: TestDatabase;
let mock: WireMock;
const running: RunningGateway[] = [];

beforeAll(async () => {
  [db, mock] = await Promise.all([createTestDatabase(), startWireMock(openaiFormat)]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});
afterAll(async () => {
  await mock?.close();
  await db?.drop();
});

const admin = (gw: RunningGateway, query: string, variables?: Record<string, unknown>) => postGraphQL(gw.url, query, variables, bearer(ADMIN_KEY));

const REPORT = `query ($from: DateTime!, $to: DateTime!, $groupBy: [UsageGroupBy!]) {
  usageReport(from: $from, to: $to, groupBy: $groupBy) { rows { kind key model provider day requests promptTokens completionTokens costMicros costUsd } }
}`;
const AUDIT = `query ($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) { edges { cursor node { requestId keyId model outcome errorCode promptTokens time } } pageInfo { hasNextPage endCursor } }
}`;
interface AuditPage {
  auditLog: { edges: { cursor: string; node: { requestId: string; keyId: string; model: string | null; outcome: string; errorCode: string | null; time: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

describe('reports', () => {
  it('usageReport groups the ledger exactly; auditLog pages newest first with filters; apiKeys is a connection', async () => {
    const gw = await startGateway(durableYaml({ upstream: mock.origin, database: `{ url: "${db.url}", ledger: { flushIntervalMs: 50 } }` }));
    running.push(gw);
    mock.script({ kind: 'text', chunks: ['ok'], usage: { promptTokens: 4, completionTokens: 6 } });
    for (let index = 0; index < 5; index++) expect((await chat(gw, USER_KEY)).body.errors).toBeUndefined();
    for (let index = 0; index < 3; index++) expect((await chat(gw, ADMIN_KEY)).body.errors).toBeUndefined();
    mock.script({ kind: 'status', status: 400, message: 'no' });
    expect((await chat(gw, USER_KEY)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');

    const range = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const byKey = await pollUntil(
      async () => (await admin(gw, REPORT, { ...range, groupBy: ['KEY', 'MODEL'] })).body,
      (body) => (body.data as { usageReport: { rows: unknown[] } } | undefined)?.usageReport.rows.length === 3,
    );
    expect(byKey.errors).toBeUndefined();
    const cost = 10 * PRICE;
    expect((byKey.data as { usageReport: { rows: unknown[] } }).usageReport.rows).toEqual([
      { kind: 'key', key: 'admin', model: 'mock/gpt', provider: null, day: null, requests: 3, promptTokens: 12, completionTokens: 18, costMicros: 3 * cost, costUsd: (3 * cost) / 1e6 },
      { kind: 'key', key: 'user', model: 'mock/gpt', provider: null, day: null, requests: 5, promptTokens: 20, completionTokens: 30, costMicros: 5 * cost, costUsd: (5 * cost) / 1e6 },
      { kind: 'key', key: 'user', model: null, provider: null, day: null, requests: 1, promptTokens: 0, completionTokens: 0, costMicros: 0, costUsd: 0 },
    ]);
    const byDay = await admin(gw, REPORT, { ...range, groupBy: ['DAY', 'PROVIDER'] });
    const today = new Date().toISOString().slice(0, 10);
    expect((byDay.body.data as { usageReport: { rows: { day: string; provider: string | null; requests: number }[] } }).usageReport.rows.map((row) => [row.day, row.provider, row.requests])).toEqual([
      [today, 'mock', 8],
      [today, null, 1],
    ]);
    const empty = await admin(gw, REPORT, { from: '2001-01-01T00:00:00Z', to: '2001-01-02T00:00:00Z' });
    expect((empty.body.data as { usageReport: { rows: unknown[] } }).usageReport.rows).toEqual([]);
    const backwards = await admin(gw, REPORT, { from: range.to, to: range.from });
    expect(backwards.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // Every page of three, newest first, until the end: 9 records, none twice.
    await pollUntil(async () => (await admin(gw, AUDIT, { first: 500 })).body.data as AuditPage, (data) => data.auditLog.edges.length === 9);
    const seen: AuditPage['auditLog']['edges'] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const { body } = await admin(gw, AUDIT, { first: 3, ...(after ? { after } : {}) });
      expect(body.errors).toBeUndefined();
      const page = (body.data as AuditPage).auditLog;
      seen.push(...page.edges);
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    expect(seen).toHaveLength(9);
    expect(new Set(seen.map((edge) => edge.node.requestId)).size).toBe(9);
    const times = seen.map((edge) => edge.node.time);
    expect([...times].sort().reverse()).toEqual(times);
    const failed = await admin(gw, AUDIT, { filter: { keyId: 'user', outcome: 'FAILED' } });
    expect((failed.body.data as AuditPage).auditLog.edges.map((edge) => [edge.node.keyId, edge.node.outcome, edge.node.errorCode])).toEqual([['user', 'FAILED', 'UPSTREAM_REJECTED']]);
    const adminOnly = await admin(gw, AUDIT, { filter: { keyId: 'admin', model: 'mock/gpt', from: range.from, to: range.to } });
    expect((adminOnly.body.data as AuditPage).auditLog.edges).toHaveLength(3);
    for (const [variables, field] of [[{ first: 0 }, 'first'], [{ after: 'bm90IGEgY3Vyc29y' }, 'after']] as const) {
      const bad = await admin(gw, AUDIT, variables);
      expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const forbidden = await postGraphQL(gw.url, AUDIT, {}, bearer(USER_KEY));
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const { body } = await admin(gw, 'query ($after: String) { apiKeys(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', cursor ? { after: cursor } : {});
      const page = (body.data as { apiKeys: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }).apiKeys;
      keys.push(...page.edges.map((edge) => edge.node.id));
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor);
    expect(keys).toEqual(['admin', 'user']);
  }, 60_000);

  it('without a database the report fields answer FEATURE_DISABLED; apiKeys still works', async () => {
    const gw = await startGateway(durableYaml({ upstream: mock.origin }));
    running.push(gw);
    const report = await admin(gw, REPORT, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    expect(report.body.errors?.[0]?.extensions?.code).toBe('FEATURE_DISABLED');
    expect(report.body.errors?.[0]?.message).toContain('database.url');
    const audit = await admin(gw, AUDIT, {});
    expect(audit.body.errors?.[0]?.extensions?.code).toBe('FEATURE_DISABLED');
    const keys = await admin(gw, '{ apiKeys { edges { node { id } } } }');
    expect(keys.body.errors).toBeUndefined();
    expect(gw.logs.some((line) => line.includes('not durable'))).toBe(true);
  });

  it('the PostgreSQL audit sink deletes records past retentionDays', async () => {
    const pool = new pg.Pool({ connectionString: db.url });
    try {
      const sink = createPostgresAuditSink({ pool, retentionDays: 30, logger: createLogger({ level: 'silent' }) });
      const record = (time: string): AuditRecord => ({ type: 'completion', time, requestId: randomUUID(), keyId: 'k', requested: 'm', model: 'm', provider: 'p', streaming: false, outcome: 'success', errorCode: null, finishReason: 'stop', cached: false, attempts: [], promptTokens: 1, completionTokens: 1, reasoningTokens: 0, cachedPromptTokens: 0, costUsd: null, latencyMs: 1, timeToFirstTokenMs: null });
      const old = randomUUID();
      const fresh = randomUUID();
      sink.write(old, record(new Date(Date.now() - 31 * 86_400_000).toISOString()));
      sink.write(fresh, record(new Date().toISOString()));
      await sink.flush();
      expect(await sink.sweep()).toBe(1);
      const left = await db.query<{ completion_id: string }>('SELECT completion_id FROM audit_log WHERE completion_id = ANY($1::uuid[])', [[old, fresh]]);
      expect(left.map((row) => row.completion_id)).toEqual([fresh]);
      await sink.close();
    } finally {
      await pool.end();
    }
  });
});
