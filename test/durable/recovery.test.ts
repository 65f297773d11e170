import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EPOCH_KEY } from '../../src/durable/create-epoch-guard.js';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';
import { ADMIN_KEY, bearer, chat, durableYaml, pollUntil, PRICE, startGateway, type RunningGateway } from './durable-fixture.js';

/*
 * Redis restarted empty while two replicas serve: runtime keys, revocations
 * and each budget's spend come back from PostgreSQL before limits apply, so
 * budgets refuse at the same point as if nothing had happened.
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

/** Runs redis-cli against one node; resolves with what it printed. */
function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.env.REDIS_CLI_BIN ?? 'redis-cli', args, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

/** Each deployment: its redis config block, and how it loses everything. */
const DEPLOYMENTS = [
  {
    name: 'standalone Redis restarted empty',
    redis: (prefix: string) => `{ url: "${redis.url}", keyPrefix: "${prefix}" }`,
    wipe: () => redis.restart(),
  },
  {
    name: 'Redis Cluster (3 masters) flushed on every node',
    redis: (prefix: string) => `{ cluster: [${cluster.nodes.map((node) => `"${node}"`).join(', ')}], keyPrefix: "${prefix}" }`,
    /*
     * The nodes are flushed one after another, so the node holding the epoch marker goes last:
     * flushed earlier, a replica could notice, restore, and have part of the restored state
     * flushed by the next node (the marker is one key on one node; docs/deployment.md).
     */
    wipe: async (prefix: string) => {
      const ports = cluster.nodes.map((node) => node.split(':')[1] as string);
      const holds = await Promise.all(ports.map(async (port) => (await redisCli(['-p', port, 'exists', `${prefix}${EPOCH_KEY}`])).trim() === '1'));
      expect(holds.filter(Boolean)).toHaveLength(1);
      for (const port of [...ports.filter((_, index) => !holds[index]), ...ports.filter((_, index) => holds[index])]) await redisCli(['-p', port, 'flushall']);
    },
  },
];

const CREATE = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { id } } }';
const REVOKE = 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';
const BUDGET = '{ viewer { budget { spentUsd } } }';
const USAGE = '{ viewer { usage(period: MONTH) { requests promptTokens completionTokens reasoningTokens cachedPromptTokens } } }';
/**
 * Tokens the mock reports: 12 tokens, 12,000 micro-USD a request (reasoning is part of the
 * completion tokens, cached prompt tokens part of the prompt tokens; no cachedInput price).
 */
const REPORTED = { promptTokens: 7, completionTokens: 5, reasoningTokens: 3, cachedPromptTokens: 4 };
/** What `viewer.usage` shows after `requests` completions with the reported usage. */
const usageOf = (requests: number) => ({
  requests,
  promptTokens: requests * REPORTED.promptTokens,
  completionTokens: requests * REPORTED.completionTokens,
  reasoningTokens: requests * REPORTED.reasoningTokens,
  cachedPromptTokens: requests * REPORTED.cachedPromptTokens,
});
const COST_MICROS = (REPORTED.promptTokens + REPORTED.completionTokens) * PRICE;

async function ledgerMicros(callerId: string): Promise<number> {
  const [row] = await db.query<{ micros: string }>('SELECT coalesce(sum(cost_micros), 0) AS micros FROM usage_ledger WHERE caller_id = $1', [callerId]);
  return Number(row?.micros);
}

describe.each(DEPLOYMENTS)('recovery: $name', (deployment) => {
  it('runtime keys, revocations and budget spend are restored; the budget refuses at the same point', async () => {
    await db.query('TRUNCATE api_keys, usage_ledger').catch(() => undefined);
    const prefix = `recovery-${randomUUID()}:`;
    const yaml = durableYaml({
      upstream: mock.origin,
      redis: deployment.redis(prefix),
      database: `{ url: "${db.url}", epochCheckMs: 200, ledger: { flushIntervalMs: 50 } }`,
    });
    const [a, b] = await Promise.all([startGateway(yaml), startGateway(yaml)]);
    running.push(a, b);
    mock.script({ kind: 'text', chunks: ['ok'], usage: REPORTED });

    const create = async (id: string, budgetUsd?: number) => {
      const input = { id, scopes: ['CHAT', 'MODELS'], ...(budgetUsd ? { limits: { budgetUsd } } : {}) };
      const { body } = await postGraphQL(a.url, CREATE, { input }, bearer(ADMIN_KEY));
      expect(body.errors).toBeUndefined();
      return (body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    };
    const BUDGET_USD = (5 * COST_MICROS) / 1_000_000;
    const spender = await create('spender', BUDGET_USD);
    const revoked = await create('revoked');
    expect((await postGraphQL(a.url, REVOKE, { id: 'revoked' }, bearer(ADMIN_KEY))).body.errors).toBeUndefined();
    const rows = await db.query<{ id: string; secret_hash: string; revoked: boolean }>('SELECT id, secret_hash, revoked_at IS NOT NULL AS revoked FROM api_keys ORDER BY id');
    expect(rows.map((row) => [row.id, row.revoked])).toEqual([['revoked', true], ['spender', false]]);
    expect(rows[1]?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(spender); // hashes only

    // Control: how many requests a fresh key with this budget gets before BUDGET_EXCEEDED, without any restart.
    const control = await create('control', BUDGET_USD);
    const untilRefused = async (secret: string) => {
      for (let served = 0; served < 20; served++) {
        const { body } = await chat(served % 2 === 0 ? a : b, secret, { maxTokens: 5 });
        if (body.errors) {
          expect(body.errors[0]?.extensions?.code).toBe('BUDGET_EXCEEDED');
          return served;
        }
      }
      throw new Error('the budget never refused');
    };
    const servedWithoutRestart = await untilRefused(control);
    expect(servedWithoutRestart).toBeGreaterThan(3);

    for (const gw of [a, b, a]) expect((await chat(gw, spender, { maxTokens: 5 })).body.errors).toBeUndefined();
    await pollUntil(() => ledgerMicros('spender'), (micros) => micros === 3 * COST_MICROS);

    await deployment.wipe(prefix); // nothing is saved: Redis is back empty

    // The runtime key works again on both replicas, and the revoked one stays revoked.
    const viewer = await pollUntil(
      async () => (await postGraphQL(b.url, BUDGET, undefined, bearer(spender))).body,
      (body) => body.errors === undefined,
      10_000,
    );
    expect(viewer.errors).toBeUndefined();
    // The spend is the ledger's sum, on both replicas. (A replica may still know the key from its
    // own cache before the restore has run, so the spend is awaited, not the key.)
    const ledger = await ledgerMicros('spender');
    const spentMicros = async (gw: typeof a) => {
      const { body } = await postGraphQL(gw.url, BUDGET, undefined, bearer(spender));
      return Math.round(((body.data as { viewer: { budget: { spentUsd: number } } } | undefined)?.viewer.budget.spentUsd ?? 0) * 1_000_000);
    };
    for (const gw of [a, b]) expect(await pollUntil(() => spentMicros(gw), (micros) => micros === ledger, 10_000)).toBe(ledger);
    // The usage counters are back too, reasoning and cached prompt tokens included: the ledger's sums.
    const restoredUsage = { data: { viewer: { usage: usageOf(3) } } };
    for (const gw of [a, b]) {
      const usage = await pollUntil(async () => (await postGraphQL(gw.url, USAGE, undefined, bearer(spender))).body, (body) => JSON.stringify(body) === JSON.stringify(restoredUsage), 10_000);
      expect(usage).toEqual(restoredUsage);
    }
    const refused = await postGraphQL(a.url, '{ viewer { keyId } }', undefined, bearer(revoked));
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // The budget refuses at the same point as without the restart.
    expect(3 + (await untilRefused(spender))).toBe(servedWithoutRestart);
    const expected = servedWithoutRestart * COST_MICROS;
    expect(await pollUntil(() => ledgerMicros('spender'), (micros) => micros === expected)).toBe(expected);
    const { body: after } = await postGraphQL(a.url, BUDGET, undefined, bearer(spender));
    expect(Math.round((after.data as { viewer: { budget: { spentUsd: number } } }).viewer.budget.spentUsd * 1_000_000)).toBe(expected);
    // One restore when the replicas first met the empty Redis, one after the restart: never both replicas at once.
    expect([...a.logs, ...b.logs].filter((line) => line.includes('hot state restored from PostgreSQL'))).toHaveLength(2);
  }, 60_000);
});

describe('recovery: one replica on memory stores, restarted', () => {
  it('runtime keys and this period spend come back from PostgreSQL at start', async () => {
    await db.query('TRUNCATE api_keys, usage_ledger').catch(() => undefined);
    const yaml = durableYaml({ upstream: mock.origin, database: `{ url: "${db.url}", ledger: { flushIntervalMs: 50 } }` });
    mock.script({ kind: 'text', chunks: ['ok'], usage: REPORTED });
    const first = await startGateway(yaml);
    const { body } = await postGraphQL(first.url, CREATE, { input: { id: 'kept', scopes: ['CHAT', 'MODELS'], limits: { budgetUsd: 1 } } }, bearer(ADMIN_KEY));
    const secret = (body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    for (let index = 0; index < 2; index++) expect((await chat(first, secret, { maxTokens: 5 })).body.errors).toBeUndefined();
    await first.stop(); // flushes the ledger

    const second = await startGateway(yaml);
    running.push(second);
    const after = await postGraphQL(second.url, USAGE.replace('viewer {', 'viewer { budget { spentUsd }'), undefined, bearer(secret));
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data).toEqual({ viewer: { budget: { spentUsd: (2 * COST_MICROS) / 1_000_000 }, usage: usageOf(2) } });
    expect(second.logs.some((line) => line.includes('durable state in PostgreSQL'))).toBe(true);
  }, 60_000);
});

describe('recovery under traffic', () => {
  it('Redis flushed while two replicas serve: no request fails, spend is back to the ledger within the in-flight bound, exact once quiet', async () => {
    await db.query('TRUNCATE api_keys, usage_ledger').catch(() => undefined);
    const prefix = `chaos-${randomUUID()}:`;
    const yaml = durableYaml({ upstream: mock.origin, redis: `{ url: "${redis.url}", keyPrefix: "${prefix}" }`, database: `{ url: "${db.url}", epochCheckMs: 200, ledger: { flushIntervalMs: 50 } }` });
    const [a, b] = await Promise.all([startGateway(yaml), startGateway(yaml)]);
    running.push(a, b);
    mock.script({ kind: 'text', chunks: ['ok'], usage: REPORTED });
    const { body } = await postGraphQL(a.url, CREATE, { input: { id: 'busy', scopes: ['CHAT', 'MODELS'], limits: { budgetUsd: 1_000 } } }, bearer(ADMIN_KEY));
    const secret = (body.data as { createApiKey: { secret: string } }).createApiKey.secret;

    const CONCURRENCY = 8;
    let stop = false;
    const failures: string[] = [];
    let served = 0;
    const loops = Array.from({ length: CONCURRENCY }, async (_, index) => {
      while (!stop) {
        const result = await chat(index % 2 === 0 ? a : b, secret, { maxTokens: 5 });
        if (result.body.errors) failures.push(String(result.body.errors[0]?.extensions?.code));
        else served++;
      }
    });
    await pollUntil(async () => served, (count) => count >= 50);
    await redisCli(['-p', String(redis.port), 'flushall']);
    const servedAtFlush = served;
    await pollUntil(async () => served, (count) => count >= servedAtFlush + 100);
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);

    const ledger = await pollUntil(() => ledgerMicros('busy'), (micros) => micros === served * COST_MICROS);
    expect(ledger).toBe(served * COST_MICROS);
    const spentNow = async () => {
      const { body: viewer } = await postGraphQL(b.url, BUDGET, undefined, bearer(secret));
      return Math.round((viewer.data as { viewer: { budget: { spentUsd: number } } }).viewer.budget.spentUsd * 1_000_000);
    };
    // Requests in flight at the flush lost their reservation with Redis (their settlement adds only actual - reserved):
    // spend is never above the ledger, and below it by at most those reservations (docs/deployment.md).
    const reservationBound = (50 + 5) * PRICE; // a generous prompt estimate + maxTokens, priced
    const deviation = (await spentNow()) - ledger;
    console.info(`chaos: ${served} completions, ${servedAtFlush} before the flush, spend - ledger = ${deviation} micro-USD`);
    expect(deviation).toBeLessThanOrEqual(0);
    expect(deviation).toBeGreaterThanOrEqual(-CONCURRENCY * reservationBound);

    // A quiet flush: spend equals the ledger's sum to the micro-dollar.
    await redisCli(['-p', String(redis.port), 'flushall']);
    expect(await pollUntil(spentNow, (micros) => micros === ledger, 10_000)).toBe(ledger);
  }, 60_000);
});
