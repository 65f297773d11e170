import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scenario, WireFormat } from './scenario.js';

export interface RecordedRequest {
  /** When it arrived (performance.now()). */
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A real HTTP server that answers like one provider, scripted scenario by scenario. */
export interface WireMock {
  /** `http://127.0.0.1:<port>` — providers append their own paths. */
  origin: string;
  /** Scenarios for the next requests, in order; the last one repeats. */
  script(...scenarios: Scenario[]): void;
  readonly requests: RecordedRequest[];
  /** How many responses the client closed before they were complete. */
  readonly abortedCount: number;
  /** Resolves once `count` responses in all have been closed early by the client. */
  waitForAborts(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Delay between streamed frames, so a stream is really incremental on the wire. */
const FRAME_GAP_MS = 1;

export async function startWireMock(format: WireFormat, options: { frameSeparator?: string } = {}): Promise<WireMock> {
  const separator = options.frameSeparator ?? '\n\n';
  let queue: Scenario[] = [{ kind: 'text', chunks: ['Hello', ' world'], usage: { promptTokens: 3, completionTokens: 2 } }];
  const requests: RecordedRequest[] = [];
  let abortedCount = 0;
  const abortWaiters = new Set<() => void>();
  // Connections the mock itself cut are not client aborts.
  const resets = new WeakSet<ServerResponse>();

  function nextScenario(): Scenario {
    const scenario = queue.length > 1 ? queue.shift() : queue[0];
    if (!scenario) throw new Error('wire mock has no scenario');
    return scenario;
  }

  async function writeFrames(res: ServerResponse, frames: string[]): Promise<boolean> {
    for (const frame of frames) {
      if (res.destroyed) return false;
      res.write(frame + separator);
      await new Promise((resolve) => setTimeout(resolve, FRAME_GAP_MS));
    }
    return !res.destroyed;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // keep the raw text
      }
      const path = req.url ?? '/';
      requests.push({ at: performance.now(), method: req.method ?? 'GET', path, headers: req.headers, body });
      let completed = false;
      res.on('close', () => {
        if (completed || resets.has(res)) return;
        abortedCount++;
        for (const wake of abortWaiters) wake();
      });
      void respond(res, nextScenario(), path, body).then(() => {
        completed = true;
      });
    });
  });

  async function pause(res: ServerResponse, ms: number | undefined): Promise<boolean> {
    if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
    return !res.destroyed;
  }

  async function respond(res: ServerResponse, scenario: Scenario, path: string, body: unknown): Promise<void> {
    const model = format.modelOf(path, body);
    const stream = format.isStream(path, body);
    if (scenario.kind === 'reset') {
      resets.add(res);
      res.socket?.destroy();
      return;
    }
    const delays = scenario.kind === 'text' ? scenario.delays : undefined;
    if (!(await pause(res, delays?.beforeHeadersMs))) return;
    if (scenario.kind === 'status') {
      res.writeHead(scenario.status, { 'content-type': 'application/json', ...scenario.headers });
      res.end(JSON.stringify(format.errorBody(scenario.status, scenario.message ?? `mock error ${scenario.status}`)));
      return;
    }
    if (!stream) {
      if (scenario.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "broken", ');
        return;
      }
      if (scenario.kind === 'hang') {
        res.writeHead(200, { 'content-type': 'application/json' });
        await new Promise<void>((resolve) => res.on('close', resolve));
        return;
      }
      if (scenario.kind === 'mid-stream-error') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(format.errorBody(500, scenario.message)));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(format.completion(scenario, model)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (!(await pause(res, delays?.beforeFirstChunkMs))) return;
    switch (scenario.kind) {
      case 'text':
      case 'tool-calls':
        if (await writeFrames(res, [...format.streamFrames(scenario, model), ...format.terminator()])) res.end();
        return;
      case 'malformed':
        if (await writeFrames(res, [...format.partialFrames(scenario.chunks, model), 'data: {"oops": '])) res.end();
        return;
      case 'mid-stream-error':
        if (await writeFrames(res, [...format.partialFrames(scenario.chunks, model), format.errorFrame(scenario.message)]))
          res.end();
        return;
      case 'hang':
        await writeFrames(res, format.partialFrames(scenario.chunks, model, scenario.promptTokens));
        await new Promise<void>((resolve) => (res.destroyed ? resolve() : res.on('close', resolve)));
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    script(...scenarios) {
      queue = scenarios;
    },
    requests,
    get abortedCount() {
      return abortedCount;
    },
    waitForAborts(count, timeoutMs = 2_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (abortedCount < count) return;
          clearTimeout(timer);
          abortWaiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          abortWaiters.delete(check);
          reject(new Error(`expected ${count} aborted responses, saw ${abortedCount}`));
        }, timeoutMs);
        abortWaiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
