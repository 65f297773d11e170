/**
 * `npm run soak -- --minutes N`: a bounded soak run (default 10 minutes) of steady mixed traffic
 * against the built gateway (`node --expose-gc dist/main.js`, a child process) in front of the
 * bench mock upstream (bench/mock-upstream.ts, in this process).
 *
 * Traffic, per second (× `--rate`): GraphQL chats, SSE streams read to the end, SSE streams
 * cancelled after the first event, graphql-ws subscriptions, /v1 chat completions, a key hammered
 * past its rate limit (429s), a model whose upstream rejects every call (404 → UPSTREAM_REJECTED)
 * and one whose upstream is down (connection refused → UPSTREAM_UNAVAILABLE, then an open breaker).
 *
 * Every `--sample-seconds` it samples, inside the gateway: RSS and V8 heap after a full GC (a
 * SIGUSR2 probe loaded with `--import`, which needs `--expose-gc`), the event-loop delay p99 since
 * the last sample (`switchboard_nodejs_eventloop_lag_p99_seconds` from /metrics: prom-client's
 * monitorEventLoopDelay), and active handles by kind. At the end: RSS and heap slope per hour
 * (least squares over the samples after the first fifth), event-loop p99, handles when idle at
 * the end vs the start, outcomes per kind, error-level log lines. Prints a markdown table and
 * appends it to bench/RESULTS.md (unless `--no-append`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import { startMockUpstream } from './mock-upstream.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '10' },
    rate: { type: 'string', default: '1' },
    'no-append': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const SAMPLE_MS = Number(args['sample-seconds']) * 1_000;
const RATE = Number(args.rate);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sbk_soak-user-0123456789abcdefghijkl';
const LIMITED_KEY = 'sbk_soak-limited-0123456789abcdefgh';
const log = (message: string) => process.stderr.write(`soak: ${message}\n`);

/** Loaded into the gateway with --import: answers SIGUSR2 with a GC'd memory and handle sample on stderr. */
const PROBE = `
process.on('SIGUSR2', () => {
  globalThis.gc?.(); globalThis.gc?.();
  const memory = process.memoryUsage();
  const handles = {};
  for (const handle of process._getActiveHandles()) {
    let kind = handle?.constructor?.name ?? 'unknown';
    if (kind === 'Socket') kind = handle.remotePort === Number(process.env.SOAK_UPSTREAM_PORT) ? 'Socket:upstream' : handle.localPort === Number(process.env.PORT) ? 'Socket:client' : 'Socket:other';
    handles[kind] = (handles[kind] ?? 0) + 1;
  }
  process.stderr.write('SOAK_PROBE ' + JSON.stringify({ rss: memory.rss, heapUsed: memory.heapUsed, handles, requests: process._getActiveRequests().length }) + '\\n');
});`;

interface ProbeSample {
  at: number;
  rss: number;
  heapUsed: number;
  handles: Record<string, number>;
  requests: number;
  loopP99Ms?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Least-squares slope of y over x (x in hours): units per hour. */
function slopePerHour(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** GET over a connection of its own (no keep-alive pool holding a socket open in the gateway). */
function getOnce(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject);
  });
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  if (!args['no-build']) {
    log('building (npm run -s build)');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const mock = await startMockUpstream();
  const upstreamPort = Number(new URL(mock.url).port);
  const downPort = await freePort();
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'sb-soak-'));
  const configPath = join(dir, 'switchboard.yaml');
  writeFileSync(
    configPath,
    `
server: { shutdownGraceMs: 2000 }
providers:
  - { id: mock, type: openai, baseUrl: "${mock.url}/v1", apiKey: soak }
  - { id: paced, type: openai, baseUrl: "${mock.url}/p5/n10/v1", apiKey: soak }
  - { id: rejecting, type: openai, baseUrl: "${mock.url}/v1/missing", apiKey: soak }
  - { id: down, type: openai, baseUrl: "http://127.0.0.1:${downPort}/v1", apiKey: soak, connectTimeoutMs: 500 }
models:
  - { provider: mock, upstream: gpt, pricing: { input: 1, output: 1 } }
  - { provider: paced, upstream: gpt, pricing: { input: 1, output: 1 } }
  - { provider: rejecting, upstream: gpt }
  - { provider: down, upstream: gpt }
routing:
  breaker: { halfOpenAfterMs: 5000 }
auth:
  keys:
    - { id: soak, secret: "${KEY}", scopes: [models, chat, embed], limits: { tokensPerMinute: 1000000000 } }
    - { id: limited, secret: "${LIMITED_KEY}", scopes: [chat], limits: { requestsPerMinute: 60 } }
`,
  );

  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', `data:text/javascript,${encodeURIComponent(PROBE)}`, 'dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_CONFIG: configPath, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SOAK_UPSTREAM_PORT: String(upstreamPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));

  let errorLines = 0;
  let firstErrorLine = '';
  let stdoutTail = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutTail = (stdoutTail + chunk.toString()).slice(-4_000);
    for (const line of chunk.toString().split('\n')) {
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level && Number(level) >= 50) {
        errorLines++;
        firstErrorLine ||= line.slice(0, 300);
      }
    }
  });
  const probeWaiters: ((sample: Omit<ProbeSample, 'at'>) => void)[] = [];
  let stderrBuffer = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrBuffer += chunk.toString();
    let newline: number;
    while ((newline = stderrBuffer.indexOf('\n')) >= 0) {
      const line = stderrBuffer.slice(0, newline);
      stderrBuffer = stderrBuffer.slice(newline + 1);
      if (line.startsWith('SOAK_PROBE ')) probeWaiters.shift()?.(JSON.parse(line.slice(11)) as Omit<ProbeSample, 'at'>);
      else if (line.trim()) log(`gateway stderr: ${line.slice(0, 300)}`);
    }
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`the gateway exited during the soak (code ${code}, signal ${signal}):\n${stdoutTail}`);
      process.exit(1);
    }
  });
  let stopping = false;

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (!(await getOnce(`${origin}/readyz`).then(({ status }) => status === 200, () => false))) {
    if (Date.now() > deadline) throw new Error('the gateway did not become ready in 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(`gateway ready on ${origin} (pid ${child.pid}); soaking ${MINUTES} min at rate ×${RATE}`);

  const started = Date.now();
  const probe = async (): Promise<ProbeSample> => {
    // /metrics first, on a connection of its own that is closed again before the handle count.
    const metrics = (await getOnce(`${origin}/metrics`)).text;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sample = new Promise<Omit<ProbeSample, 'at'>>((resolve) => probeWaiters.push(resolve));
    child.kill('SIGUSR2');
    const memory = await sample;
    const p99 = /^switchboard_nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(metrics)?.[1];
    return { at: Date.now() - started, ...memory, ...(p99 !== undefined ? { loopP99Ms: Number(p99) * 1_000 } : {}) };
  };

  // ------------------------------------------------------------ traffic
  // Client connections are closed before every idle sample, so the gateway's count of client sockets must drop to 0.
  let agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  const outcomes = new Map<string, Map<string, number>>();
  const latencies: number[] = [];
  let inFlight = 0;
  const count = (kind: string, result: string) => {
    const byResult = outcomes.get(kind) ?? new Map<string, number>();
    byResult.set(result, (byResult.get(result) ?? 0) + 1);
    outcomes.set(kind, byResult);
  };
  const codeOf = (text: string) => /"code":"([A-Za-z_]+)"/.exec(text)?.[1];
  const graphql = (query: string, key: string, accept = 'application/json', signal?: AbortSignal) =>
    fetch(`${origin}/graphql`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
      ...(signal ? { signal } : {}),
    });
  const chatDoc = (model: string) => `mutation { chat(input: { model: "${model}", messages: [{ role: USER, content: "soak" }] }) { message { content } } }`;
  const streamDoc = (model: string) => `subscription { chatStream(input: { model: "${model}", messages: [{ role: USER, content: "soak" }] }) { delta done } }`;

  const kinds: Record<string, { perSecond: number; run: () => Promise<string> }> = {
    chat: {
      perSecond: 8,
      run: async () => {
        const text = await (await graphql(chatDoc('mock/gpt'), KEY)).text();
        return codeOf(text) ?? (text.includes('tok1') ? 'ok' : 'UNEXPECTED');
      },
    },
    stream: {
      perSecond: 4,
      run: async () => {
        const text = await (await graphql(streamDoc('paced/gpt'), KEY, 'text/event-stream')).text();
        return codeOf(text) ?? (text.includes('"done":true') ? 'ok' : 'UNEXPECTED');
      },
    },
    cancel: {
      perSecond: 2,
      run: async () => {
        const controller = new AbortController();
        const response = await graphql(streamDoc('paced/gpt'), KEY, 'text/event-stream', controller.signal);
        const reader = response.body?.getReader();
        const first = await reader?.read();
        controller.abort();
        await reader?.cancel().catch(() => undefined);
        return first && !first.done ? 'cancelled' : 'UNEXPECTED';
      },
    },
    v1: {
      perSecond: 3,
      run: async () => {
        const response = await fetch(`${origin}/v1/chat/completions`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ model: 'mock/gpt', messages: [{ role: 'user', content: 'soak' }] }),
        });
        const text = await response.text();
        return response.ok ? 'ok' : (codeOf(text) ?? `HTTP ${response.status}`);
      },
    },
    'rate-limited': {
      perSecond: 4,
      run: async () => {
        const response = await graphql(chatDoc('mock/gpt'), LIMITED_KEY);
        const text = await response.text();
        return codeOf(text) ?? (text.includes('tok1') ? 'ok' : 'UNEXPECTED');
      },
    },
    'upstream-rejects': { perSecond: 1, run: async () => codeOf(await (await graphql(chatDoc('rejecting/gpt'), KEY)).text()) ?? 'UNEXPECTED' },
    'upstream-down': { perSecond: 1, run: async () => codeOf(await (await graphql(chatDoc('down/gpt'), KEY)).text()) ?? 'UNEXPECTED' },
  };

  // graphql-ws: one long-lived client, a paced subscription per tick.
  const openWs = () => createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${KEY}` }, retryAttempts: 0 });
  let ws = openWs();
  kinds.ws = {
    perSecond: 2,
    run: () =>
      new Promise<string>((resolve) => {
        let done = false;
        ws.subscribe<{ chatStream: { done: boolean } }>({ query: streamDoc('paced/gpt') }, {
          next: (value) => void (done ||= value.data?.chatStream.done === true),
          error: (error: unknown) => resolve(`ERROR ${JSON.stringify(error).slice(0, 80)}`),
          complete: () => resolve(done ? 'ok' : 'UNEXPECTED'),
        });
      }),
  };

  const timers: NodeJS.Timeout[] = [];
  const pending = new Set<Promise<void>>();
  const fire = (kind: string, run: () => Promise<string>) => {
    inFlight++;
    const t0 = performance.now();
    const task = run()
      .then(
        (result) => count(kind, result),
        (error: unknown) => count(kind, `THREW ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        inFlight--;
        latencies.push(performance.now() - t0);
        pending.delete(task);
      });
    pending.add(task);
  };
  const startTraffic = () => {
    for (const [kind, { perSecond, run }] of Object.entries(kinds)) {
      timers.push(setInterval(() => fire(kind, run), 1_000 / (perSecond * RATE)));
    }
  };
  const stopTraffic = async () => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    await Promise.all(pending);
    await ws.dispose();
    await agent.close();
    agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
    ws = openWs();
  };

  // Warm up every path, then settle idle and take the baseline.
  startTraffic();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  await stopTraffic();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const baseline = await probe();
  log(`baseline: RSS ${mb(baseline.rss)} MB, heap ${mb(baseline.heapUsed)} MB, handles ${JSON.stringify(baseline.handles)}`);

  const samples: ProbeSample[] = [];
  const soakStart = Date.now();
  const soakEnd = soakStart + MINUTES * 60_000;
  startTraffic();
  while (Date.now() < soakEnd) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(SAMPLE_MS, soakEnd - Date.now())));
    const sample = await probe();
    samples.push(sample);
    log(`${((Date.now() - soakStart) / 60_000).toFixed(1)} min: RSS ${mb(sample.rss)} MB, heap ${mb(sample.heapUsed)} MB, loop p99 ${sample.loopP99Ms?.toFixed(1)} ms, in flight ${inFlight}`);
  }
  await stopTraffic();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const final = await probe();
  await ws.dispose();
  await agent.close();

  stopping = true;
  const stopStarted = performance.now();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const stopMs = performance.now() - stopStarted;
  await new Promise<void>((resolve) => mock.server.close(() => resolve()));
  mock.server.closeAllConnections();

  // ------------------------------------------------------------ report
  const steady = samples.slice(Math.floor(samples.length / 5));
  const hours = (sample: ProbeSample) => sample.at / 3_600_000;
  const rssSlope = slopePerHour(steady.map((sample) => [hours(sample), sample.rss / 1024 / 1024]));
  const heapSlope = slopePerHour(steady.map((sample) => [hours(sample), sample.heapUsed / 1024 / 1024]));
  const loop = samples.map((sample) => sample.loopP99Ms).filter((value): value is number => value !== undefined);
  const total = [...outcomes.values()].reduce((sum, byResult) => sum + [...byResult.values()].reduce((a, b) => a + b, 0), 0);
  const unexpected = [...outcomes.entries()].flatMap(([kind, byResult]) =>
    [...byResult.entries()].filter(([result]) => /UNEXPECTED|THREW|ERROR|INTERNAL/.test(result)).map(([result, n]) => `${kind}: ${result} ×${n}`),
  );
  const handleKinds = [...new Set([...Object.keys(baseline.handles), ...Object.keys(final.handles)])].sort();
  const nonUpstream = (handles: Record<string, number>) => Object.entries(handles).filter(([kind]) => kind !== 'Socket:upstream').reduce((sum, [, n]) => sum + n, 0);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)}`;

  const table = [
    `### Soak: ${MINUTES} min of mixed traffic (${new Date().toISOString().slice(0, 16)}Z, commit ${commit})`,
    '',
    `Command: \`npm run soak -- --minutes ${MINUTES}${RATE !== 1 ? ` --rate ${RATE}` : ''}\`; ${machine}.`,
    '',
    '| | |',
    '|---|---|',
    `| requests (≈${Math.round(total / (MINUTES * 60 + 5))}/s) | ${total.toLocaleString('en')} |`,
    ...[...outcomes.entries()].map(([kind, byResult]) => `| ${kind} | ${[...byResult.entries()].map(([result, n]) => `${result} ${n}`).join(', ')} |`),
    `| unexpected outcomes | ${unexpected.length === 0 ? 'none' : unexpected.join('; ')} |`,
    `| latency p50 / p99 (all kinds) | ${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} ms |`,
    `| RSS after GC: baseline / end / slope | ${mb(baseline.rss)} / ${mb(final.rss)} MB / ${rssSlope.toFixed(1)} MB per hour |`,
    `| V8 heap after GC: baseline / end / slope | ${mb(baseline.heapUsed)} / ${mb(final.heapUsed)} MB / ${heapSlope.toFixed(1)} MB per hour |`,
    // prom-client's histogram (monitorEventLoopDelay, 10 ms resolution) records the time between its timer's runs: 10 ms is the floor.
    `| event-loop delay p99 per ${SAMPLE_MS / 1000} s window, beyond the 10 ms sampling interval: median / worst | ${(percentile(loop, 50) - 10).toFixed(1)} / ${(Math.max(...loop) - 10).toFixed(1)} ms |`,
    `| active handles idle, start → end | ${handleKinds.map((kind) => `${kind} ${baseline.handles[kind] ?? 0}→${final.handles[kind] ?? 0}`).join(', ')} |`,
    `| handles other than pooled upstream sockets equal | ${nonUpstream(baseline.handles) === nonUpstream(final.handles) ? 'yes' : `NO (${nonUpstream(baseline.handles)} → ${nonUpstream(final.handles)})`} |`,
    `| error-level log lines | ${errorLines}${firstErrorLine ? ` (first: \`${firstErrorLine.replace(/\|/g, '\\|')}\`)` : ''} |`,
    `| SIGTERM → exit | ${Math.round(stopMs)} ms |`,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (!args['no-append']) appendFileSync(join(ROOT, 'bench/RESULTS.md'), `\n${table}`);
  const healthy = unexpected.length === 0 && errorLines === 0 && nonUpstream(baseline.handles) === nonUpstream(final.handles);
  process.exit(healthy ? 0 : 1);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
