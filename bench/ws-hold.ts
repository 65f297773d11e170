/**
 * `npx tsx bench/ws-hold.ts`: memory per open graphql-ws stream.
 *
 * Starts the shared harness's node mock upstream (../shared/bench/lib/mock-upstream.mjs),
 * paced slowly (one chunk every --pace ms, so many streams make a sustainable event
 * rate), and the built gateway (`node dist/main.js`; run `npm run build` first). Then:
 * a warm-up (streams opened and closed, so lazy initialisation and JIT are not counted
 * per stream), the gateway's idle RSS, N `chatStream` subscriptions over graphql-ws
 * opened in batches, a hold of --hold seconds with RSS sampled every second, a stall
 * check (every stream must get an event at least every 3 × pace during the hold), and
 * the RSS after closing them all. Memory is also read after a full GC (the gateway is
 * started with a preload that runs gc() on SIGUSR2): the sampled peak includes garbage
 * not yet collected, so it depends on the hold's length and the GC's timing. Prints a
 * human summary and one `WSHOLDJSON {...}` line on stdout (progress on stderr); exits 1
 * if any stream failed, never got its first token or stalled. The client runs in this process (its CPU % is reported, to show it
 * was not the bottleneck). PIN=1 pins the gateway to CPU 1 and the rest to CPU 0.
 * SWITCHBOARD_DIR runs the gateway built in another checkout (default: this one);
 * GATEWAY_NODE_ARGS adds node flags to the gateway (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const HELP = `usage: npx tsx bench/ws-hold.ts [options]    (PIN=1: gateway on CPU 1, the rest on CPU 0)
  --streams N        subscriptions to hold (10000)
  --per-socket K     subscriptions per websocket (1): N / K sockets
  --providers P      providers the streams are spread over, all on the same mock (1); the
                     gateway keeps one upstream connection pool per provider (builds before
                     a09f5a4 capped each at 512 connections, i.e. 512 streams)
  --hold S           seconds to hold them all open (20)
  --pace MS          mock: one chunk every MS ms per stream (2000)
  --batch B          sockets opened at once (250); the next batch waits for its first tokens
  --warmup W         streams opened and closed before the idle RSS (200)
  --first-timeout S  longest wait for a batch's first tokens (30)
  --settle S         seconds after closing before the "after" readings (pace + 3 s)
  --mock-url URL     use a running mock-upstream.mjs (origin, e.g. http://127.0.0.1:9100)`;

const { values: opts } = parseArgs({
  options: {
    streams: { type: 'string', default: '10000' },
    'per-socket': { type: 'string', default: '1' },
    providers: { type: 'string', default: '1' },
    hold: { type: 'string', default: '20' },
    pace: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '250' },
    warmup: { type: 'string', default: '200' },
    'first-timeout': { type: 'string', default: '30' },
    settle: { type: 'string' },
    'mock-url': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const int = (name: keyof typeof opts, min: number): number => {
  const value = Number(opts[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
};
const STREAMS = int('streams', 1);
const PER_SOCKET = int('per-socket', 1);
const SOCKETS = Math.ceil(STREAMS / PER_SOCKET);
const PROVIDERS = int('providers', 1);
const HOLD_MS = int('hold', 1) * 1000;
const PACE_MS = int('pace', 1);
const BATCH = int('batch', 1);
const WARMUP = int('warmup', 0);
const FIRST_TIMEOUT_MS = int('first-timeout', 1) * 1000;
const STALL_MS = 3 * PACE_MS;
const PIN = process.env.PIN === '1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Another checkout's build can be measured (e.g. a clean HEAD while src/ is being edited here).
const GATEWAY_DIR = resolve(process.env.SWITCHBOARD_DIR ?? ROOT);
const MOCK_SCRIPT = resolve(process.env.SHARED_BENCH ?? join(ROOT, '../shared/bench'), 'lib/mock-upstream.mjs');
// The gateway ends any stream after routing.timeouts.totalMs (10 min by default), so
// the mock sends chunks for 10 min: longer than any sensible opening + hold.
const CHUNKS = Math.ceil(600_000 / PACE_MS) + 3;
const TICK_MS = 10; // /proc/<pid>/stat counts CPU in clock ticks; USER_HZ is 100 on Linux
const GATEWAY_NODE_ARGS = (process.env.GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
// Preloaded into the gateway (no change to its code): SIGUSR2 = a full GC, then one stderr
// line with process.memoryUsage(), so live memory (V8 heap vs. native) can be read.
const GC_ON_SIGNAL = [
  '--expose-gc',
  '--import',
  'data:text/javascript,process.on("SIGUSR2",()=>{globalThis.gc();globalThis.gc();process.stderr.write("WSHOLDMEM "+JSON.stringify(process.memoryUsage())+"\\n")})',
];

const log = (message: string) => process.stderr.write(`ws-hold: ${message}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------- processes

const children: ChildProcess[] = [];
let stopping = false;
let tmpDir: string | undefined;
process.on('exit', () => {
  // 'exit' handlers must be synchronous: SIGKILL whatever is still running.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

/** Spawns a child (under `taskset -c cpu` when pinned: taskset execs, so the pid is the child's). */
function start(name: string, args: string[], env: Record<string, string>, cpu?: number): ChildProcess {
  const [command, argv] = cpu === undefined ? [process.execPath, args] : ['taskset', ['-c', String(cpu), process.execPath, ...args]];
  const child = spawn(command, argv, { cwd: GATEWAY_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // The figures would be meaningless: stop here (the 'exit' handler kills the rest).
    log(`${name} exited early (code ${code}, signal ${signal}):\n${output}`);
    process.exit(1);
  });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  // The gateway drains for up to server.shutdownGraceMs (10 s) after SIGTERM.
  const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitReady(what: string, child: ChildProcess, url: string, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before it was ready`);
    if (await fetch(url, init).then((res) => res.status < 500, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} not ready after 20 s`);
}

// ---------------------------------------------------------------- /proc

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** CPU ticks used by the whole machine (all cores; idle and iowait excluded). */
function machineBusyTicks(): number {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const ticks = fields.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
  return ticks.reduce((sum, value) => sum + value, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0);
}

interface GcMemory {
  rssKb: number;
  /** V8 heap in use after the GC, in kB. */
  heapUsedKb: number;
  /** Memory of C++ objects bound to JS objects (Buffers included), in kB. */
  externalKb: number;
}

/** Memory after a full GC in the gateway (SIGUSR2, see GC_ON_SIGNAL). */
async function memoryAfterGc(gateway: ChildProcess): Promise<GcMemory> {
  const usage = await new Promise<{ heapUsed: number; external: number }>((done, fail) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error('the gateway did not answer SIGUSR2 within 10 s')), 10_000);
    const onData = (data: Buffer) => {
      buffered += data.toString();
      const match = /WSHOLDMEM (\{.*\})\n/.exec(buffered);
      if (!match?.[1]) return;
      gateway.stderr?.off('data', onData);
      clearTimeout(timer);
      done(JSON.parse(match[1]) as { heapUsed: number; external: number });
    };
    gateway.stderr?.on('data', onData);
    gateway.kill('SIGUSR2');
  });
  // A moment for freed pages to leave the RSS.
  await sleep(500);
  return { rssKb: statusKb(gateway.pid ?? 0, 'VmRSS'), heapUsedKb: Math.round(usage.heapUsed / 1024), externalKb: Math.round(usage.external / 1024) };
}

/** Soft limit on open files: the gateway and the mock inherit ours. */
function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match ? Number(match[1]) : Infinity;
}

// ---------------------------------------------------------------- streams

interface StreamState {
  /** ms (performance.now) of the first event carrying text; -1 until then. */
  firstAt: number;
  lastAt: number;
  events: number;
  /** Longest silence seen during the hold window, in ms. */
  maxHoldGap: number;
  failed?: string;
}

let holdFrom = Infinity; // hold window start (performance.now); events before it don't count for stalls
let closing = false; // set when we close the streams ourselves: their completion is expected

/** graphql-ws reports errors as Error, a list of GraphQL errors, or the socket's CloseEvent. */
const describe = (error: unknown): string => {
  if (Array.isArray(error)) return (error as unknown[]).map(describe).join('; ');
  if (typeof error !== 'object' || error === null) return String(error);
  if ('message' in error) return String(error.message);
  if ('code' in error) return `socket closed ${String(error.code)} ${'reason' in error ? String(error.reason) : ''}`;
  return String(error);
};

const QUERY = (model: string) => `subscription { chatStream(input: {model: "${model}", messages: [{role: USER, content: "hi"}]}) { delta } }`;

/** Opens `sockets` graphql-ws clients with `perSocket` subscriptions each (the last ones may get fewer). */
function openStreams(url: string, sockets: number, perSocket: number, total: number, firstModel: number): { clients: Client[]; streams: StreamState[] } {
  const clients: Client[] = [];
  const streams: StreamState[] = [];
  for (let s = 0; s < sockets && streams.length < total; s++) {
    // No retries and no lazy close: a dropped socket must show up as failed streams.
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazyCloseTimeout: 0 });
    clients.push(client);
    for (let k = 0; k < perSocket && streams.length < total; k++) {
      const state: StreamState = { firstAt: -1, lastAt: -1, events: 0, maxHoldGap: 0 };
      const model = `mock${(firstModel + streams.length) % PROVIDERS}/gpt`;
      streams.push(state);
      client.subscribe<{ chatStream: { delta: string | null } }>(
        { query: QUERY(model) },
        {
          next: (result) => {
            const now = performance.now();
            if (result.errors?.length) state.failed ??= describe(result.errors);
            if (!result.data?.chatStream.delta) return;
            if (state.firstAt < 0) state.firstAt = now;
            if (now > holdFrom) state.maxHoldGap = Math.max(state.maxHoldGap, now - Math.max(state.lastAt, holdFrom));
            state.lastAt = now;
            state.events++;
          },
          error: (error) => void (state.failed ??= describe(error)),
          complete: () => void (closing || (state.failed ??= 'completed before the end of the hold')),
        },
      );
    }
  }
  return { clients, streams };
}

/** Waits until every stream has its first token or failed, at most `timeoutMs`; true if all settled. */
async function settled(streams: StreamState[], timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (streams.every((s) => s.firstAt >= 0 || s.failed !== undefined)) return true;
    await sleep(50);
  }
  return false;
}

async function closeAll(clients: Client[]): Promise<void> {
  closing = true;
  await Promise.all(clients.map((client) => client.dispose()));
  closing = false;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (!existsSync(join(GATEWAY_DIR, 'dist/main.js'))) throw new Error(`${GATEWAY_DIR}/dist/main.js not found: run \`npm run build\` first`);
  // Every stream holds a client socket here, a websocket plus an upstream connection
  // in the gateway, and a socket in the mock: check the gateway fits its file limit.
  const limit = openFilesLimit();
  const gatewayFds = SOCKETS + STREAMS + 100;
  if (gatewayFds > limit) {
    throw new Error(
      `the gateway would need ~${gatewayFds} open files (${SOCKETS} websockets + ${STREAMS} upstream connections), ` +
        `but ulimit -n is ${limit}: raise it, or put several streams on a socket (--per-socket 2)`,
    );
  }
  if (PIN) execFileSync('taskset', ['-a', '-pc', '0', String(process.pid)], { stdio: 'ignore' });

  tmpDir = mkdtempSync(join(os.tmpdir(), 'switchboard-ws-hold-'));
  let mockOrigin = opts['mock-url']?.replace(/\/+$/, '');
  let mock: ChildProcess | undefined;
  if (!mockOrigin) {
    if (!existsSync(MOCK_SCRIPT)) throw new Error(`${MOCK_SCRIPT} not found (set SHARED_BENCH, or --mock-url)`);
    const port = await freePort();
    mockOrigin = `http://127.0.0.1:${port}`;
    // Copied under a name of our own, like the gateway's entry point below, so that a
    // `pkill -f mock-upstream` (or `dist/main.js`) by someone else on a shared machine
    // does not end this run halfway (it happened while writing this tool).
    const script = join(tmpDir, 'ws-hold-upstream.mjs');
    copyFileSync(MOCK_SCRIPT, script);
    mock = start('mock upstream', [script, `--port=${port}`], {}, PIN ? 0 : undefined);
    await waitReady('mock upstream', mock, `${mockOrigin}/v1/chat/completions`, { method: 'POST', body: '{}' });
  }
  // Role + first token at once (t0/b2), then one chunk every PACE_MS.
  const baseUrl = `${mockOrigin}/t0/b2/p${PACE_MS}/n${CHUNKS}/v1`;
  const configFile = join(tmpDir, 'switchboard.yaml');
  const providers = Array.from({ length: PROVIDERS }, (_, i) => `  - { id: mock${i}, type: openai, baseUrl: "${baseUrl}", apiKey: sk-mock }`);
  const models = Array.from({ length: PROVIDERS }, (_, i) => `  - { id: mock${i}/gpt, provider: mock${i}, upstream: mock-gpt, capabilities: [chat, streaming] }`);
  writeFileSync(configFile, `providers:\n${providers.join('\n')}\nmodels:\n${models.join('\n')}\n`);

  const port = await freePort();
  // A symlink: node resolves the entry point's real path, so its imports load from dist/.
  const entry = join(tmpDir, 'ws-hold-gateway.js');
  symlinkSync(join(GATEWAY_DIR, 'dist/main.js'), entry);
  const gateway = start('gateway', [...GATEWAY_NODE_ARGS, ...GC_ON_SIGNAL, entry], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SWITCHBOARD_CONFIG: configFile }, PIN ? 1 : undefined);
  await waitReady('gateway', gateway, `http://127.0.0.1:${port}/readyz`);
  const pid = gateway.pid ?? 0;
  const wsUrl = `ws://127.0.0.1:${port}/graphql`;
  log(`gateway pid ${pid} on ${wsUrl}; mock ${baseUrl}; ${STREAMS} streams on ${SOCKETS} sockets, ${PROVIDERS} provider(s)`);

  if (WARMUP > 0) {
    const warm = openStreams(wsUrl, Math.ceil(WARMUP / PER_SOCKET), PER_SOCKET, WARMUP, 0);
    const ok = await settled(warm.streams, FIRST_TIMEOUT_MS);
    const bad = warm.streams.filter((s) => s.firstAt < 0);
    await closeAll(warm.clients);
    if (!ok || bad.length > 0) throw new Error(`warm-up: ${bad.length} of ${WARMUP} streams got no first token: ${bad[0]?.failed ?? 'timed out'}`);
    await sleep(2_000);
  }
  const idleRssKb = statusKb(pid, 'VmRSS');
  const idleGc = await memoryAfterGc(gateway);
  log(`idle RSS ${(idleRssKb / 1024).toFixed(1)} MB (${(idleGc.rssKb / 1024).toFixed(1)} MB after GC); opening`);

  // RSS every second from here to the end of the hold.
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(statusKb(pid, 'VmRSS')), 1_000);
  const openedAt = performance.now();
  const clients: Client[] = [];
  const streams: StreamState[] = [];
  let stoppedEarly: string | undefined;
  let progressAt = performance.now();
  let progressTicks = cpuTicks(pid);
  for (let s = 0; s < SOCKETS; s += BATCH) {
    const batch = openStreams(wsUrl, Math.min(BATCH, SOCKETS - s), PER_SOCKET, Math.min(BATCH * PER_SOCKET, STREAMS - streams.length), streams.length);
    clients.push(...batch.clients);
    streams.push(...batch.streams);
    // Waiting for each batch's first tokens paces the opening to what the gateway absorbs.
    if (!(await settled(batch.streams, FIRST_TIMEOUT_MS))) {
      stoppedEarly = `stopped opening at ${streams.length} streams: the last batch had no first token after ${FIRST_TIMEOUT_MS / 1000} s`;
      log(stoppedEarly);
      break;
    }
    if ((s / BATCH) % 4 === 3 || s + BATCH >= SOCKETS) {
      const [at, ticks] = [performance.now(), cpuTicks(pid)];
      const cpu = ((ticks - progressTicks) * TICK_MS * 100) / (at - progressAt);
      [progressAt, progressTicks] = [at, ticks];
      log(`${streams.length} opened, ${streams.filter((x) => x.firstAt >= 0).length} streaming, RSS ${(statusKb(pid, 'VmRSS') / 1024).toFixed(1)} MB, gateway CPU ${cpu.toFixed(0)} %`);
    }
  }
  const openMs = performance.now() - openedAt;

  log(`holding for ${HOLD_MS / 1000} s`);
  holdFrom = performance.now();
  const gatewayTicks0 = cpuTicks(pid);
  const mockTicks0 = mock?.pid ? cpuTicks(mock.pid) : 0;
  const machineTicks0 = machineBusyTicks();
  const clientCpu0 = process.cpuUsage();
  const events0 = streams.reduce((sum, x) => sum + x.events, 0);
  await sleep(HOLD_MS);
  const holdEnd = performance.now();
  const holdMs = holdEnd - holdFrom;
  const gatewayCpuPct = ((cpuTicks(pid) - gatewayTicks0) * TICK_MS * 100) / holdMs;
  const mockCpuPct = mock?.pid ? ((cpuTicks(mock.pid) - mockTicks0) * TICK_MS * 100) / holdMs : NaN;
  const clientCpu = process.cpuUsage(clientCpu0);
  const clientCpuPct = ((clientCpu.user + clientCpu.system) / 1000 / holdMs) * 100;
  // Everything else on the machine: on a shared box, the reason a hold can stall.
  const othersCpuPct = ((machineBusyTicks() - machineTicks0) * TICK_MS * 100) / holdMs - gatewayCpuPct - (Number.isNaN(mockCpuPct) ? 0 : mockCpuPct) - clientCpuPct;
  const eventsPerS = ((streams.reduce((sum, x) => sum + x.events, 0) - events0) * 1000) / holdMs;
  clearInterval(sampler);
  const peakRssKb = Math.max(...rssSamples, statusKb(pid, 'VmRSS'));
  const hwmKb = statusKb(pid, 'VmHWM');
  const gatewayOpenFds = readdirSync(`/proc/${pid}/fd`).length;
  for (const x of streams) if (x.firstAt >= 0) x.maxHoldGap = Math.max(x.maxHoldGap, holdEnd - Math.max(x.lastAt, holdFrom));
  holdFrom = Infinity; // the GC pause below is after the stall window
  const openGc = await memoryAfterGc(gateway);

  const firstToken = streams.filter((x) => x.firstAt >= 0).length;
  const failed = streams.filter((x) => x.failed !== undefined);
  const stalled = streams.filter((x) => x.failed === undefined && x.firstAt >= 0 && x.maxHoldGap > STALL_MS).length;
  const open = streams.filter((x) => x.failed === undefined && x.firstAt >= 0).length;
  const maxGapMs = Math.max(0, ...streams.map((x) => x.maxHoldGap));

  // By default long enough for one more chunk per stream: cleanup that waits for an upstream read has run by then.
  const settleMs = opts.settle === undefined ? PACE_MS + 3_000 : int('settle', 0) * 1000;
  log(`closing, then ${settleMs / 1000} s for cleanup`);
  await closeAll(clients);
  await sleep(settleMs);
  const afterRssKb = statusKb(pid, 'VmRSS');
  const afterGc = await memoryAfterGc(gateway);
  stopping = true;
  await stop(gateway);
  if (mock) await stop(mock);

  const result = {
    streamsRequested: STREAMS,
    sockets: clients.length,
    perSocket: PER_SOCKET,
    providers: PROVIDERS,
    opened: streams.length,
    firstTokenReceived: firstToken,
    open,
    failed: failed.length,
    firstFailure: failed[0]?.failed ?? null,
    stalled,
    stoppedEarly: stoppedEarly ?? null,
    paceMs: PACE_MS,
    holdS: Math.round(holdMs / 100) / 10,
    openS: Math.round(openMs / 100) / 10,
    maxGapMs: Math.round(maxGapMs),
    eventsPerS: Math.round(eventsPerS),
    rssIdleKb: idleRssKb,
    rssPeakKb: peakRssKb,
    rssHwmKb: hwmKb,
    rssAfterKb: afterRssKb,
    afterGc: { idle: idleGc, open: openGc, closed: afterGc },
    kbPerStream: Math.round(((peakRssKb - idleRssKb) / Math.max(1, open)) * 10) / 10,
    kbPerStreamGc: Math.round(((openGc.rssKb - idleGc.rssKb) / Math.max(1, open)) * 10) / 10,
    heapKbPerStream: Math.round(((openGc.heapUsedKb - idleGc.heapUsedKb) / Math.max(1, open)) * 10) / 10,
    gatewayCpuPct: Math.round(gatewayCpuPct),
    clientCpuPct: Math.round(clientCpuPct),
    mockCpuPct: Number.isNaN(mockCpuPct) ? null : Math.round(mockCpuPct),
    othersCpuPct: Math.max(0, Math.round(othersCpuPct)),
    gatewayOpenFds,
    pinned: PIN,
    rssSamplesKb: rssSamples,
  };
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  const ok = streams.length === STREAMS && open === STREAMS && stalled === 0 && failed.length === 0;
  process.stdout.write(
    [
      `graphql-ws hold: ${STREAMS} streams requested on ${clients.length} sockets (${PER_SOCKET}/socket, ${PROVIDERS} provider(s)), ` +
        `opened ${streams.length} in ${result.openS} s, first token ${firstToken}, open at the end ${open}, failed ${failed.length}, stalled ${stalled}`,
      `  hold ${result.holdS} s, one chunk per stream every ${PACE_MS} ms: ${result.eventsPerS} events/s received, longest silence ${result.maxGapMs} ms (stall > ${STALL_MS} ms)`,
      `  gateway RSS idle ${mb(idleRssKb)}, peak ${mb(peakRssKb)} (VmHWM ${mb(hwmKb)}), after closing ${mb(afterRssKb)}: ${result.kbPerStream} KB per open stream`,
      `  after a full GC: RSS idle ${mb(idleGc.rssKb)}, streams open ${mb(openGc.rssKb)}, closed ${mb(afterGc.rssKb)}: ${result.kbPerStreamGc} KB per open stream;` +
        ` V8 heap used ${mb(idleGc.heapUsedKb)} / ${mb(openGc.heapUsedKb)} / ${mb(afterGc.heapUsedKb)} (${result.heapKbPerStream} KB per stream), external ${mb(idleGc.externalKb)} / ${mb(openGc.externalKb)} / ${mb(afterGc.externalKb)}`,
      `  CPU during the hold (% of one core): gateway ${result.gatewayCpuPct} %, this client ${result.clientCpuPct} %${result.clientCpuPct > 85 ? ' (the client may be the bottleneck)' : ''}, mock ${result.mockCpuPct ?? '–'} %, other processes ${result.othersCpuPct} %; gateway open files ${gatewayOpenFds}`,
      ...(failed[0] ? [`  first failure: ${failed[0].failed}`] : []),
      ...(stoppedEarly ? [`  ${stoppedEarly}`] : []),
      `  ${ok ? 'OK' : 'FAILED'}`,
      `WSHOLDJSON ${JSON.stringify(result)}`,
      '',
    ].join('\n'),
  );
  if (!ok) process.exitCode = 1;
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
