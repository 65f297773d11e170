import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * The gateway every fuzz file runs against: the real server on port 0, API keys and a JWT issuer
 * configured, limits that make token counting and budget reservations run on every model call,
 * a wire-mock OpenAI upstream (`mock/gpt`) and the built-in local provider (`local/*`).
 */

export const SECRETS = {
  userKey: 'sbk_fuzz-user-0123456789abcdefghijkl',
  adminKey: 'sbk_fuzz-admin-0123456789abcdefghijk',
  upstreamKey: 'sk-upstream-fuzz-secret-0123456789',
  jwtSecret: 'fuzz-jwt-secret-0123456789abcdefghijklmnop',
} as const;

export interface FuzzRig {
  gw: RunningGateway;
  mock: WireMock;
  stop(): Promise<void>;
}

/** Starts the mock upstream and the gateway (in this process, so its heap can be measured). */
export async function startFuzzRig(options: { maxBodyBytes?: number } = {}): Promise<FuzzRig> {
  const mock = await startWireMock(openaiFormat);
  mock.script({ kind: 'text', chunks: ['fuzz', ' ok'], usage: { promptTokens: 4, completionTokens: 2 } });
  const yaml = `
server: { shutdownGraceMs: 0, maxBodyBytes: ${options.maxBodyBytes ?? 1_048_576} }
providers:
  - { id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: "${SECRETS.upstreamKey}" }
  - { id: local, type: local, tokenDelayMs: 0 }
models:
  - { provider: mock, upstream: gpt, pricing: { input: 1, output: 1 }, capabilities: [chat, streaming, tools, json] }
  - { provider: local, upstream: echo }
  - { provider: local, upstream: lorem }
  - { provider: local, upstream: embed }
routes:
  - { id: fast, strategy: fallback, targets: [{ model: mock/gpt }, { model: local/echo }] }
auth:
  keys:
    - { id: fuzz, secret: "${SECRETS.userKey}", scopes: [models, chat, embed], limits: { tokensPerMinute: 1000000000, budgetUsd: 1000000 } }
    - { id: admin, secret: "${SECRETS.adminKey}", scopes: [admin, models, chat, embed] }
  jwt: { secret: "${SECRETS.jwtSecret}" }
`;
  let gw: RunningGateway;
  try {
    gw = await startGateway(yaml);
  } catch (error: unknown) {
    await mock.close();
    throw error;
  }
  return {
    gw,
    mock,
    async stop() {
      await gw.stop();
      await mock.close();
    },
  };
}

/** One raw HTTP exchange, as the fuzzer sees it. */
export interface Answer {
  /** 0 when the connection ended without a response. */
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text (at most MAX_READ bytes). */
  text: string;
  ms: number;
  /** The socket error when there was no response (ECONNRESET, EPIPE …). */
  error?: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | string[]>;
  /** One buffer: sent with content-length. Several: sent chunked, in that many writes. */
  body?: Buffer | Buffer[];
}

const MAX_READ = 16 * 1024 * 1024;
const GUARD_MS = 15_000;
// A connection per request: a socket the server closed after a refusal is never reused by mistake.
const agent = new Agent({ keepAlive: false });

/** Sends one request with node:http (no client-side rules on headers, methods or bodies). */
export function send(origin: string, raw: RawRequest): Promise<Answer> {
  const started = performance.now();
  const url = new URL(origin);
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve({ ...answer, ms: performance.now() - started });
    };
    const chunks = Array.isArray(raw.body) ? raw.body : undefined;
    const headers: Record<string, string | string[]> = { ...raw.headers };
    if (raw.body && !chunks) headers['content-length'] = String((raw.body as Buffer).length);
    const req = httpRequest({ host: url.hostname, port: url.port, path: raw.path, method: raw.method, headers, agent, insecureHTTPParser: false });
    const guard = setTimeout(() => {
      req.destroy(new Error(`no answer within ${GUARD_MS} ms`));
    }, GUARD_MS);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_READ) parts.push(chunk);
        size += chunk.length;
      });
      const finish = () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, headers: {}, text: '', error: error.code ?? error.message }));
    if (chunks) {
      for (const chunk of chunks) if (chunk.length > 0) req.write(chunk);
      req.end();
    } else {
      req.end(raw.body);
    }
  });
}

/** A full GC when the runtime allows one (global.gc, or V8's flag switched on at run time). */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed();
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap in use after a full GC, in bytes. */
export function settledHeap(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * The heap as the gateway holds it: this process also keeps what the test records (every
 * upstream request the mock saw, every captured log line), which grows with the number of cases.
 * Call once those records have been checked: it drops them first.
 */
export function gatewayHeap(rig: FuzzRig): number {
  rig.mock.requests.length = 0;
  rig.gw.logs.length = 0;
  return settledHeap();
}

/** True when /healthz answers 200 within 2 s. */
export async function healthy(gw: RunningGateway): Promise<boolean> {
  const answer = await send(gw.origin, { method: 'GET', path: '/healthz' });
  return answer.status === 200 && answer.ms < 2_000;
}

/**
 * What the process writes through console.error/console.warn while fuzzing (libraries that log
 * around the gateway's logger, e.g. graphql-ws on a socket error): a client must not be able to
 * write stack traces to the operator's stderr. Returns the captured lines and a restore function.
 */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const { error, warn } = console;
  const keep = (...args: unknown[]) => void lines.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' '));
  console.error = keep;
  console.warn = keep;
  return {
    lines,
    restore() {
      console.error = error;
      console.warn = warn;
    },
  };
}
