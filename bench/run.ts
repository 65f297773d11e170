/**
 * `npm run bench`: a quick overhead check of Switchboard against its upstream.
 *
 * Starts a mock OpenAI upstream and the built gateway (`node dist/main.js`) as
 * separate processes, then measures the same work through the gateway and
 * straight at the mock ("direct"): `Mutation.chat` with autocannon, and
 * `Subscription.chatStream` over SSE with a paced mock (time to first event).
 * Prints markdown tables on stdout; progress goes to stderr.
 * The reference for performance targets is ../shared/bench (see bench/README.md).
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeStreams, type StreamResult, type StreamTarget } from './sse-probe.js';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
};
const DURATION_S = num('BENCH_DURATION', 5) || 5;
const WARMUP_S = num('BENCH_WARMUP', 1);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,16').split(',').map(Number).filter((n) => n > 0);
const STREAMS = Math.max(1, num('BENCH_STREAMS', 200));
const STREAM_CONCURRENCY = Math.max(1, num('BENCH_STREAM_CONCURRENCY', 8));
const CHUNKS = Math.max(1, num('BENCH_CHUNKS', 10));
const PACE_MS = Math.max(1, num('BENCH_PACE_MS', 5));
const BENCH_KEY = 'sbk_bench-key-0123456789abcdefghij';
const FRESH_PROCESS_WARMUP_S = Math.max(WARMUP_S, num('BENCH_FRESH_WARMUP', 8));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// /proc/<pid>/stat counts CPU time in clock ticks; USER_HZ is 100 on Linux.
const TICK_US = 10_000;

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

// ---------------------------------------------------------------- processes

const children: ChildProcess[] = [];
/** Set once we stop the children ourselves, so their exit is not reported as a crash. */
let stopping = false;
let tmpDir: string | undefined;

/** Last-resort cleanup: 'exit' handlers must be synchronous, so SIGKILL. */
function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    log(`${signal}: stopping`);
    process.exit(130);
  });
}

/** Spawns a child with piped output; the tail is kept to explain a crash. */
function start(name: string, args: string[], env: Record<string, string>, command = process.execPath): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) log(`${name} exited early (code ${code}, signal ${signal}):\n${output}`);
  });
  return child;
}

/** Polite stop: SIGTERM (the gateway drains), SIGKILL after 3 s. */
async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** A port that was free a moment ago (the race is harmless on a bench box). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(what: string, child: ChildProcess, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited before it was ready`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} not ready after 20 s`);
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU ticks spent by the whole machine (all cores; idle, iowait and steal excluded). */
function machineBusyTicks(): number {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const ticks = fields.slice(0, 7).map(Number); // user nice system idle iowait irq softirq
  return ticks.reduce((sum, value) => sum + value, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0);
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

// ---------------------------------------------------------------- measuring

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Gateway CPU per request in µs, when a pid was given. */
  cpuUs?: number;
}

interface HttpTarget {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Warm-up, then a measured autocannon run; latencies are kept from the `response` event (µs precision). */
async function load(target: HttpTarget, connections: number, cpuPid?: number, warmupS = WARMUP_S): Promise<LoadResult> {
  const options = { ...target, method: 'POST' as const, connections };
  if (warmupS > 0) await autocannon({ ...options, duration: warmupS });
  const latencies: number[] = [];
  const ticksBefore = cpuPid ? cpuTicks(cpuPid) : 0;
  const run = autocannon({ ...options, duration: DURATION_S });
  run.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await run;
  const ticks = cpuPid ? cpuTicks(cpuPid) - ticksBefore : 0;
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${target.url} c=${connections}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
  return {
    rps: result.requests.total / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ...(cpuPid ? { cpuUs: (ticks * TICK_US) / Math.max(1, result.requests.total) } : {}),
  };
}

async function streams(target: StreamTarget, cpuPid?: number): Promise<StreamResult & { cpuUs?: number }> {
  await probeStreams(target, STREAM_CONCURRENCY * 4, STREAM_CONCURRENCY); // warm-up
  const ticksBefore = cpuPid ? cpuTicks(cpuPid) : 0;
  const result = await probeStreams(target, STREAMS, STREAM_CONCURRENCY);
  const ticks = cpuPid ? cpuTicks(cpuPid) - ticksBefore : 0;
  if (result.failures) throw new Error(`${target.url}: ${result.failures} failed streams; first: ${result.firstFailure}`);
  return { ...result, ...(cpuPid ? { cpuUs: (ticks * TICK_US) / Math.max(1, result.ttfe.length) } : {}) };
}

// ---------------------------------------------------------------- report

const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(2));
const signedMs = (value: number) => `${value < 0 ? '−' : '+'}${ms(Math.abs(value))}`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

// ---------------------------------------------------------------- main

const CHAT_INPUT = (model: string) => `input: {model: \\"${model}\\", messages: [{role: USER, content: \\"hi\\"}]}`;
const OPENAI_BODY = (stream: boolean) =>
  JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], ...(stream ? { stream, stream_options: { include_usage: true } } : {}) });

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    log('npm run build');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  }
  const [mockPort, gatewayPort] = [await freePort(), await freePort()];
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const pacedBase = `${mockUrl}/p${PACE_MS}/n${CHUNKS}/v1`;
  tmpDir = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-'));
  const configFile = join(tmpDir, 'switchboard.yaml');
  // Two providers on the same mock: instant answers for Mutation.chat, paced chunks for streams.
  writeFileSync(
    configFile,
    `providers:
  - { id: mock, type: openai, baseUrl: "${mockUrl}/v1", apiKey: sk-mock }
  - { id: paced, type: openai, baseUrl: "${pacedBase}", apiKey: sk-mock }
models:
  - { id: mock/gpt, provider: mock, upstream: mock-gpt, capabilities: [chat, streaming] }
  - { id: paced/gpt, provider: paced, upstream: mock-gpt, capabilities: [chat, streaming] }
  - { id: mock/gpt-b, provider: mock, upstream: mock-gpt, capabilities: [chat, streaming] }
routes:
  - id: pair
    strategy: weighted
    targets: [{ model: mock/gpt, weight: 1 }, { model: mock/gpt-b, weight: 1 }]
`,
  );

  const mock = start('mock upstream', ['--import', 'tsx', 'bench/mock-upstream.ts'], { PORT: String(mockPort), HOST: '127.0.0.1' });
  await waitUntil('mock upstream', mock, async () => (await fetch(`${mockUrl}/v1/chat/completions`, { method: 'POST', body: '{}' })).ok);
  const gateway = start('gateway', ['dist/main.js'], {
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SWITCHBOARD_CONFIG: configFile,
  });
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitUntil('gateway', gateway, async () => (await fetch(`${gatewayUrl}/readyz`)).ok);
  const gatewayPid = gateway.pid ?? 0;
  const readyRssKb = statusKb(gatewayPid, 'VmRSS');
  // Other jobs on a shared machine skew everything: measure how much CPU they took meanwhile.
  const ourTicks = () => cpuTicks(process.pid) + cpuTicks(mock.pid ?? 0) + cpuTicks(gatewayPid);
  const startedAt = Date.now();
  const foreignBefore = machineBusyTicks() - ourTicks();

  // ---- Mutation.chat vs the same OpenAI request straight at the mock
  const direct: HttpTarget = {
    url: `${mockUrl}/v1/chat/completions`,
    body: OPENAI_BODY(false),
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-mock' },
  };
  const viaGateway: HttpTarget = {
    url: `${gatewayUrl}/graphql`,
    body: `{"query":"mutation { chat(${CHAT_INPUT('mock/gpt')}) { message { content } } }"}`,
    headers: { 'content-type': 'application/json' },
  };
  // The same request through a two-target route: the cost of routing itself.
  const viaRoute: HttpTarget = { ...viaGateway, body: viaGateway.body.replace('mock/gpt', 'pair') };
  // One checked answer each, so a misconfigured run cannot report fast errors.
  for (const target of [direct, viaGateway, viaRoute]) {
    const text = await (await fetch(target.url, { method: 'POST', body: target.body, headers: target.headers })).text();
    if (!text.includes('tok1 tok2') || text.includes('"errors"')) throw new Error(`unexpected answer from ${target.url}: ${text}`);
  }
  const chatRows: string[] = [];
  const routeRows: string[] = [];
  for (const connections of CONNECTIONS) {
    log(`Mutation.chat, ${connections} connection(s): direct, gateway, gateway via route (${WARMUP_S} s + ${DURATION_S} s each)`);
    const d = await load(direct, connections);
    const g = await load(viaGateway, connections, gatewayPid);
    const r = await load(viaRoute, connections, gatewayPid);
    routeRows.push(
      row([
        connections,
        Math.round(g.rps),
        Math.round(r.rps),
        `${ms(g.p50)} / ${ms(g.p99)}`,
        `${ms(r.p50)} / ${ms(r.p99)}`,
        signedMs(r.p50 - g.p50),
        Math.round(g.cpuUs ?? NaN),
        Math.round(r.cpuUs ?? NaN),
      ]),
    );
    chatRows.push(
      row([
        connections,
        Math.round(d.rps),
        Math.round(g.rps),
        `${(g.rps / d.rps).toFixed(2)}×`,
        `${ms(d.p50)} / ${ms(d.p99)}`,
        `${ms(g.p50)} / ${ms(g.p99)}`,
        signedMs(g.p50 - d.p50),
        Math.round(g.cpuUs ?? NaN),
      ]),
    );
  }

  // ---- chatStream over SSE vs the same paced stream straight from the mock
  log(`streams: ${STREAMS} × ${CHUNKS} chunks ${PACE_MS} ms apart, ${STREAM_CONCURRENCY} at a time: direct, then gateway`);
  const lastToken = `tok${CHUNKS} `;
  const streamDirect = await streams({
    url: `${pacedBase}/chat/completions`,
    body: OPENAI_BODY(true),
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-mock' },
    firstToken: /"content":"[^"]/,
    mustContain: [`"content":"${lastToken}"`, 'data: [DONE]'],
  });
  const streamGateway = await streams(
    {
      url: `${gatewayUrl}/graphql`,
      body: `{"query":"subscription { chatStream(${CHAT_INPUT('paced/gpt')}) { delta } }"}`,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      firstToken: /event: next\ndata: .*"delta":"[^"]/,
      // The last token ends a delta, alone or merged with the ones before it (buffered deltas coalesce).
      mustContain: [`${lastToken}"}`, 'event: complete'],
    },
    gatewayPid,
  );
  const peakRssKb = statusKb(gatewayPid, 'VmHWM');

  // ---- the same mutation with an API key, per-key limits and a per-field limit (memory, then Redis)
  const authConnections = Math.max(...CONNECTIONS);
  const authRows: string[] = [];
  const openRun = await load(viaGateway, authConnections, gatewayPid);
  authRows.push(row(['open access', Math.round(openRun.rps), `${ms(openRun.p50)} / ${ms(openRun.p99)}`, Math.round(openRun.cpuUs ?? NaN), '–']));
  const redisBin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
  let redisUrl: string | undefined;
  if (redisBin) {
    const redisPort = await freePort();
    start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, redisBin);
    redisUrl = `redis://127.0.0.1:${redisPort}`;
  } else {
    log('redis-server not found: skipping the Redis variant');
  }
  // The completion cache: the same mutation at temperature 0 (after the first, every request is a hit) vs cache: false.
  const missTarget: HttpTarget = { ...viaGateway, body: viaGateway.body.replace('messages:', 'cache: false, temperature: 0, messages:') };
  const hitTarget: HttpTarget = { ...viaGateway, body: viaGateway.body.replace('messages:', 'temperature: 0, messages:') };
  log(`Mutation.chat, completion cache miss vs hit, ${authConnections} connections`);
  const missRun = await load(missTarget, authConnections, gatewayPid);
  const hitRun = await load(hitTarget, authConnections, gatewayPid);
  const cacheRows = [
    row(['miss (cache: false)', Math.round(missRun.rps), `${ms(missRun.p50)} / ${ms(missRun.p99)}`, Math.round(missRun.cpuUs ?? NaN)]),
    row(['hit (temperature 0, repeated)', Math.round(hitRun.rps), `${ms(hitRun.p50)} / ${ms(hitRun.p99)}`, Math.round(hitRun.cpuUs ?? NaN)]),
  ];

  const variants: { name: string; redisUrl?: string; tracing?: boolean }[] = [
    { name: 'key + limits, memory' },
    ...(redisUrl ? [{ name: 'key + limits, Redis', redisUrl }] : []),
    { name: 'open, tracing on (OTLP)', tracing: true },
  ];
  for (const variant of variants) {
    const port = await freePort();
    const file = join(tmpDir, `secured-${port}.yaml`);
    writeFileSync(
      file,
      `providers:
  - { id: mock, type: openai, baseUrl: "${mockUrl}/v1", apiKey: sk-mock }
models:
  - { id: mock/gpt, provider: mock, upstream: mock-gpt, capabilities: [chat, streaming] }
${
  variant.tracing
    ? ''
    : `auth:
  keys:
    - { id: bench, secret: "${BENCH_KEY}", limits: { requestsPerMinute: 100000000, tokensPerMinute: 1000000000 } }
limits:
  fields: { "Mutation.chat": { max: 100000000 } }`
}
${variant.redisUrl ? `redis: { url: "${variant.redisUrl}", keyPrefix: "bench${port}:" }` : ''}
`,
    );
    const tracingEnv: Record<string, string> = variant.tracing
      ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${mockUrl}/v1/traces`, OTEL_SERVICE_NAME: 'switchboard-bench' }
      : {};
    const secured = start(variant.name, ['dist/main.js'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SWITCHBOARD_CONFIG: file, ...tracingEnv });
    const securedUrl = `http://127.0.0.1:${port}`;
    await waitUntil(variant.name, secured, async () => (await fetch(`${securedUrl}/readyz`)).ok);
    const target: HttpTarget = { ...viaGateway, url: `${securedUrl}/graphql`, headers: { ...viaGateway.headers, authorization: `Bearer ${BENCH_KEY}` } };
    const answer = await (await fetch(target.url, { method: 'POST', body: target.body, headers: target.headers })).text();
    if (!answer.includes('tok1 tok2')) throw new Error(`unexpected answer from ${variant.name}: ${answer}`);
    log(`Mutation.chat with ${variant.name}, ${authConnections} connections`);
    // A fresh process spends its first seconds in the JIT (measured: ~1.8x the CPU per request
    // of a warm one), so it warms up as long as the main gateway has by now.
    const result = await load(target, authConnections, secured.pid ?? 0, FRESH_PROCESS_WARMUP_S);
    authRows.push(
      row([
        variant.name,
        Math.round(result.rps),
        `${ms(result.p50)} / ${ms(result.p99)}`,
        Math.round(result.cpuUs ?? NaN),
        `+${Math.round((result.cpuUs ?? NaN) - (openRun.cpuUs ?? NaN))}`,
      ]),
    );
  }
  const foreignPct = (machineBusyTicks() - ourTicks() - foreignBefore) / ((Date.now() - startedAt) / 1000);
  await stopAll();

  const streamRow = (name: string, r: StreamResult & { cpuUs?: number }) =>
    row([
      name,
      ms(percentile(r.ttfe, 50)),
      ms(percentile(r.ttfe, 99)),
      ms(percentile(r.total, 50)),
      ms(percentile(r.total, 99)),
      Math.round((r.ttfe.length * 1000) / r.wallMs),
      r.cpuUs === undefined ? '–' : Math.round(r.cpuUs),
    ]);
  const diff = (p: number, key: 'ttfe' | 'total') => signedMs(percentile(streamGateway[key], p) - percentile(streamDirect[key], p));

  const cpus = os.cpus();
  const out = [
    `Switchboard overhead bench — ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${new Date().toISOString()}`,
    `(unpinned; load generator, mock and gateway share the machine — see ../shared/bench for the reference harness)`,
    '',
    `### Mutation.chat (non-streaming), ${DURATION_S} s per run after ${WARMUP_S} s warm-up`,
    '',
    row(['conns', 'direct req/s', 'gateway req/s', 'gw/direct', 'direct p50 / p99 ms', 'gateway p50 / p99 ms', 'added p50 ms', 'gw CPU µs/req']),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...chatRows,
    '',
    `### Routing overhead: the same mutation by model id vs through a 2-target weighted route`,
    '',
    row(['conns', 'model req/s', 'route req/s', 'model p50 / p99 ms', 'route p50 / p99 ms', 'route − model p50', 'model CPU µs/req', 'route CPU µs/req']),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...routeRows,
    '',
    `### Completion cache: the same mutation, miss vs hit (${Math.max(...CONNECTIONS)} connections)`,
    '',
    row(['request', 'req/s', 'p50 / p99 ms', 'gw CPU µs/req']),
    row(['---', '---:', '---:', '---:']),
    ...cacheRows,
    '',
    `### Auth, limits and tracing: the same mutation open, with an API key and per-key and per-field limits, and with OTLP tracing on (${Math.max(...CONNECTIONS)} connections)`,
    '',
    row(['gateway', 'req/s', 'p50 / p99 ms', 'gw CPU µs/req', 'CPU vs open']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...authRows,
    '',
    `### Subscription.chatStream over SSE: ${STREAMS} streams, ${STREAM_CONCURRENCY} concurrent, ${CHUNKS} chunks ${PACE_MS} ms apart`,
    '',
    row(['target', 'TTFE p50 ms', 'TTFE p99 ms', 'total p50 ms', 'total p99 ms', 'streams/s', 'gw CPU µs/stream']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    streamRow('direct', streamDirect),
    streamRow('gateway', streamGateway),
    row(['gateway − direct', diff(50, 'ttfe'), diff(99, 'ttfe'), diff(50, 'total'), diff(99, 'total'), '', '']),
    '',
    `TTFE = request start → first event carrying text (gateway: \`event: next\` with a delta; direct: first \`data:\` content chunk).`,
    `Gateway RSS: ${(readyRssKb / 1024).toFixed(1)} MB when ready, peak (VmHWM) ${(peakRssKb / 1024).toFixed(1)} MB.`,
    `Other processes (and interrupts) used ${Math.max(0, foreignPct).toFixed(0)} % of a core during the measurements (above ~10 %, expect noisy figures).`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
