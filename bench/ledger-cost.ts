/**
 * `npx tsx bench/ledger-cost.ts`: what the PostgreSQL usage ledger costs per request.
 *
 * Runs the built gateway (`dist/main.js`, built if missing) twice per round
 * against the in-process mock upstream, in alternation: without a database,
 * and with one (a throwaway database on PGHOST/PGPORT, 127.0.0.1:5432 as
 * postgres by default, dropped at the end). Each run: `Mutation.chat` with an
 * API key at BENCH_CONNECTIONS (default 16) for BENCH_DURATION seconds
 * (default 5) after a warm-up; reports req/s and the gateway process's CPU µs
 * per request, and checks that the ledger holds exactly one row per completion.
 * Markdown on stdout, progress on stderr.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startMockUpstream } from './mock-upstream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const KEY = 'sbk_ledger-bench-0123456789abcdefgh';
const TICK_US = 10_000; // USER_HZ = 100
const SERVER = `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}`;
const log = (message: string) => process.stderr.write(`ledger bench: ${message}\n`);

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function ledgerRows(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM usage_ledger')).rows[0]?.n);
  } finally {
    await client.end();
  }
}

interface RunResult {
  requests: number;
  reqPerSec: number;
  cpuUsPerRequest: number;
}

async function run(dir: string, upstream: string, database: string | undefined): Promise<RunResult> {
  const config = join(dir, 'switchboard.yaml');
  writeFileSync(
    config,
    `providers: [{ id: mock, type: openai, baseUrl: "${upstream}/v1", apiKey: sk-mock }]
models: [{ id: mock/gpt, provider: mock, upstream: mock-gpt, pricing: { input: 1, output: 2 }, capabilities: [chat] }]
cache: { completions: { mode: off }, responses: { enabled: false } }
auth: { keys: [{ id: bench, secret: "${KEY}", scopes: [chat] }] }
audit: { sink: off }
${database ? `database: { url: "${database}" }` : ''}
`,
  );
  const port = await freePort();
  const gateway = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SWITCHBOARD_CONFIG: config },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let tries = 0; !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false)); tries++) {
      if (tries > 400) throw new Error('gateway not ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const options = {
      url: `${url}/graphql`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: '{"query":"mutation { chat(input: {model: \\"mock/gpt\\", messages: [{role: USER, content: \\"hi\\"}]}) { message { content } } }"}',
      connections: CONNECTIONS,
    };
    const warm = await autocannon({ ...options, duration: WARMUP_S });
    const before = cpuTicks(gateway.pid as number);
    const result = await autocannon({ ...options, duration: DURATION_S });
    const cpuUs = (cpuTicks(gateway.pid as number) - before) * TICK_US;
    if (result.errors || result.non2xx) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx`);
    if (database) {
      // Written behind the requests: give the last batch a moment, then count.
      const expected = warm.requests.total + result.requests.total;
      let rows = 0;
      for (let tries = 0; tries < 20; tries++) {
        rows = await ledgerRows(database);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // autocannon drops the requests still in flight when a phase ends: the gateway finished (and recorded) them.
      if (rows < expected || rows > expected + 2 * CONNECTIONS) throw new Error(`ledger has ${rows} rows for ${expected} completions`);
      await new pg.Client({ connectionString: database }).connect().then(async (client) => {
        await client.query('TRUNCATE usage_ledger');
        await client.end();
      });
    }
    return { requests: result.requests.total, reqPerSec: result.requests.total / result.duration, cpuUsPerRequest: cpuUs / result.requests.total };
  } finally {
    gateway.kill('SIGTERM');
    await once(gateway, 'exit');
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/main.js')) || process.env.BENCH_BUILD) {
    log('building');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const mock = await startMockUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'sb-ledger-bench-'));
  const name = `sb_bench_${process.pid}`;
  await admin(`CREATE DATABASE ${name}`);
  const database = `${SERVER}/${name}`;
  const results: Record<'without' | 'with', RunResult[]> = { without: [], with: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1}: without a database`);
      results.without.push(await run(dir, mock.url, undefined));
      log(`round ${round + 1}: with PostgreSQL`);
      results.with.push(await run(dir, mock.url, database));
    }
  } finally {
    mock.server.close();
    rmSync(dir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const row = (label: string, runs: RunResult[]) =>
    `| ${label} | ${median(runs.map((r) => r.reqPerSec)).toFixed(0)} | ${median(runs.map((r) => r.cpuUsPerRequest)).toFixed(0)} | ${runs.map((r) => r.reqPerSec.toFixed(0)).join(', ')} |`;
  process.stdout.write(
    [
      `### Usage ledger cost: Mutation.chat with an API key, ${CONNECTIONS} connections, ${DURATION_S} s × ${ROUNDS} rounds`,
      '',
      '| gateway | req/s (median) | gateway CPU µs/request (median) | req/s per round |',
      '|---|---|---|---|',
      row('no database', results.without),
      row('PostgreSQL ledger', results.with),
      '',
      'Every completion autocannon counted has its ledger row (plus at most the requests in flight when a phase stopped).',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
