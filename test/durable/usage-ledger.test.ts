import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatStreamDocument } from '../../schema/generated/graphql.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';
import { ADMIN_KEY, bearer, chat, chatInput, durableYaml, pollUntil, PRICE, runPool, startGateway, USER_KEY, type RunningGateway } from './durable-fixture.js';

/*
 * The usage ledger against the machine's real PostgreSQL: one row per
 * completion, written behind the request, exact sums, and nothing lost or
 * doubled when PostgreSQL goes away under traffic.
 */

let db: TestDatabase;
let redis: RedisServer;
let cluster: RedisCluster;
let mock: WireMock;
const running: RunningGateway[] = [];

beforeAll(async () => {
  [db, redis, cluster, mock] = await Promise.all([createTestDatabase(), startRedisServer(), startRedisCluster(), startWireMock(openaiFormat)]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});
afterAll(async () => {
  await mock?.close();
  await redis?.stop();
  await cluster?.stop();
  await db?.drop();
});

interface Sums {
  rows: number;
  completions: number;
  requests: number;
  prompt: number;
  completion: number;
  micros: number;
}

async function ledgerSums(where = 'TRUE'): Promise<Sums> {
  const [row] = await db.query<Record<keyof Sums, string>>(
    `SELECT count(*) AS rows, count(DISTINCT completion_id) AS completions, count(DISTINCT request_id) AS requests,
            coalesce(sum(prompt_tokens), 0) AS prompt, coalesce(sum(completion_tokens), 0) AS completion, coalesce(sum(cost_micros), 0) AS micros
       FROM usage_ledger WHERE ${where}`,
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)])) as unknown as Sums;
}

const SHARED_STATE = [
  { name: 'standalone Redis', redis: (prefix: string) => `{ url: "${redis.url}", keyPrefix: "${prefix}" }` },
  { name: 'Redis Cluster', redis: (prefix: string) => `{ cluster: [${cluster.nodes.map((node) => `"${node}"`).join(', ')}], keyPrefix: "${prefix}" }` },
];

describe.each(SHARED_STATE)('usage ledger with $name', (shared) => {
  it('two replicas, 1,000 completions (streams cancelled halfway included): one row each, exact token and micro-dollar sums', async () => {
    // Before the start: a replica meeting an empty Redis restores counters from the ledger (the previous run's, here).
    await db.query('TRUNCATE usage_ledger').catch(() => undefined);
    const yaml = durableYaml({
      upstream: mock.origin,
      redis: shared.redis(`ledger-${randomUUID()}:`),
      database: `{ url: "${db.url}", ledger: { flushIntervalMs: 50 } }`,
      userLimits: '{ budgetUsd: 1000 }',
    });
    const [a, b] = await Promise.all([startGateway(yaml), startGateway(yaml)]);
    running.push(a, b);
    await db.query('TRUNCATE usage_ledger');
    const COMPLETE = 900;
    const CANCELLED = 100;
    const reported = { promptTokens: 7, completionTokens: 5 };

    mock.script({ kind: 'text', chunks: ['all', ' done'], usage: reported });
    const chats = await runPool(COMPLETE, 16, (index) => chat(index % 2 === 0 ? a : b, USER_KEY));
    expect(chats.filter((result) => result.body.errors === undefined)).toHaveLength(COMPLETE);

    // Cancelled halfway: two deltas of four characters, the upstream hangs, the client reads one and leaves.
    mock.script({ kind: 'hang', chunks: ['abcd', 'efgh'] });
    const abortsBefore = mock.abortedCount;
    await runPool(CANCELLED, 16, async (index) => {
      const controller = new AbortController();
      const events = subscribeSse((index % 2 === 0 ? a : b).url, ChatStreamDocument, chatInput(), { signal: controller.signal, ...bearer(USER_KEY) });
      for await (const result of events) if (result.data?.chatStream.delta) break;
      controller.abort();
    });
    await mock.waitForAborts(abortsBefore + CANCELLED, 10_000);

    const all = await pollUntil(() => ledgerSums(), (sums) => sums.rows >= COMPLETE + CANCELLED);
    expect(all.rows).toBe(COMPLETE + CANCELLED);
    expect(all.completions).toBe(COMPLETE + CANCELLED);
    // Each HTTP request carried its own x-request-id.
    expect(all.requests).toBe(COMPLETE + CANCELLED);

    const success = await ledgerSums(`outcome = 'success'`);
    expect(success).toMatchObject({
      rows: COMPLETE,
      prompt: COMPLETE * reported.promptTokens,
      completion: COMPLETE * reported.completionTokens,
      micros: COMPLETE * (reported.promptTokens + reported.completionTokens) * PRICE,
    });
    const cancelled = await ledgerSums(`outcome = 'cancelled'`);
    expect(cancelled.rows).toBe(CANCELLED);
    // Cancelled streams still used tokens: every cut stream has its prompt and what it streamed, priced exactly.
    expect(cancelled.micros).toBe((cancelled.prompt + cancelled.completion) * PRICE);
    expect(cancelled.completion).toBeGreaterThanOrEqual(CANCELLED);

    // The ledger agrees with the live counters (usage meter) and the budget's spend, to the token and micro-dollar.
    const { body } = await postGraphQL(a.url, 'query { keyUsage(keyId: "user", period: MONTH) { requests promptTokens completionTokens } }', undefined, bearer(ADMIN_KEY));
    expect((body.data as { keyUsage: unknown }).keyUsage).toEqual({ requests: all.rows, promptTokens: all.prompt, completionTokens: all.completion });
    const budget = await pollUntil(
      async () => (await postGraphQL(b.url, '{ viewer { budget { spentUsd } } }', undefined, bearer(USER_KEY))).body.data as { viewer: { budget: { spentUsd: number } } },
      (data) => Math.round(data.viewer.budget.spentUsd * 1_000_000) === all.micros,
    );
    expect(Math.round(budget.viewer.budget.spentUsd * 1_000_000)).toBe(all.micros);

    const [kinds] = await db.query<{ kinds: string[]; models: string[] }>(
      `SELECT array_agg(DISTINCT caller_kind || ':' || caller_id) AS kinds, array_agg(DISTINCT requested_model || '>' || model || '@' || provider) AS models FROM usage_ledger`,
    );
    expect(kinds).toEqual({ kinds: ['key:user'], models: ['mock/gpt>mock/gpt@mock'] });
  }, 120_000);
});

describe('usage ledger through a PostgreSQL outage', () => {
  it('PostgreSQL cut off under traffic: no request fails, no row lost or doubled once it is back', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    try {
      const url = new URL(db.url);
      url.port = String(proxy.port);
      const gw = await startGateway(durableYaml({ upstream: mock.origin, database: `{ url: "${url.href}", ledger: { flushIntervalMs: 50 } }` }));
      running.push(gw);
      await db.query('TRUNCATE usage_ledger');
      mock.script({ kind: 'text', chunks: ['ok'], usage: { promptTokens: 3, completionTokens: 2 } });
      const ids: string[] = [];
      const send = async () => {
        const result = await chat(gw, USER_KEY);
        expect(result.body.errors).toBeUndefined();
        ids.push(result.headers.get('x-request-id') as string);
      };
      await runPool(50, 8, send);
      await pollUntil(() => ledgerSums(), (sums) => sums.rows === 50);

      await proxy.cut();
      await runPool(200, 8, send);
      const ready = await fetch(new URL('/readyz', gw.url));
      expect(ready.status).toBe(200); // buffering, not dropping: still in rotation
      expect(gw.logs.some((line) => line.includes('usage ledger: database unreachable'))).toBe(true);

      await proxy.restore();
      const sums = await pollUntil(() => ledgerSums(), (value) => value.rows >= 250);
      expect(sums).toMatchObject({ rows: 250, completions: 250, requests: 250, prompt: 250 * 3, completion: 250 * 2, micros: 250 * 5 * PRICE });
      const stored = await db.query<{ request_id: string }>('SELECT request_id FROM usage_ledger');
      expect(new Set(stored.map((row) => row.request_id))).toEqual(new Set(ids));
      expect(gw.logs.some((line) => line.includes('usage ledger: database reachable again'))).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('beyond ledger.maxBuffered the oldest rows are dropped and logged, and /readyz says so; requests still succeed', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    try {
      const url = new URL(db.url);
      url.port = String(proxy.port);
      const gw = await startGateway(durableYaml({ upstream: mock.origin, database: `{ url: "${url.href}", ledger: { flushIntervalMs: 50, maxBuffered: 10 } }` }));
      running.push(gw);
      await db.query('TRUNCATE usage_ledger');
      mock.script({ kind: 'text', chunks: ['ok'], usage: { promptTokens: 3, completionTokens: 2 } });
      await proxy.cut();
      const results = await runPool(25, 4, () => chat(gw, USER_KEY));
      expect(results.every((result) => result.body.errors === undefined)).toBe(true);
      expect((await fetch(new URL('/readyz', gw.url))).status).toBe(503);
      expect(gw.logs.some((line) => line.includes('buffer full while the database is unreachable; dropping the oldest rows'))).toBe(true);
      await proxy.restore();
      const sums = await pollUntil(() => ledgerSums(), (value) => value.rows >= 10);
      expect(sums.rows).toBe(10);
      expect((await pollUntil(() => fetch(new URL('/readyz', gw.url)).then((r) => r.status), (status) => status === 200))).toBe(200);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
