/**
 * A fast mock of an OpenAI-compatible upstream for the overhead bench.
 *
 * `POST …/v1/chat/completions`:
 * - `"stream": false` (or absent): a fixed `chat.completion` ("tok1 … tok8 ", with usage);
 * - `"stream": true`: SSE of `chat.completion.chunk` events — a role chunk, N content
 *   chunks `tokK `, a finish chunk, a usage chunk, then `data: [DONE]`.
 *
 * Per-request options ride in path segments before `/v1`, so one process serves
 * every scenario and the gateway only needs a different `baseUrl`:
 * `/p<ms>/` = delay between chunks (the role chunk goes out at once with the
 * headers, content chunk K at K × ms), `/n<count>/` = number of content chunks.
 * Example: `http://127.0.0.1:9100/p5/n10/v1`.
 *
 * Run directly (`node --import tsx bench/mock-upstream.ts`) it listens on
 * `PORT` (default 9100) and prints `listening <port>` once ready.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

const MODEL = 'mock-gpt';
const CREATED = 1_700_000_000;
/** Content chunks of a non-streaming answer and the default for streams. */
export const JSON_TOKENS = 8;

const token = (k: number): string => `tok${k} `;
const tokens = (n: number): string => Array.from({ length: n }, (_, i) => token(i + 1)).join('');

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: tokens(JSON_TOKENS) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: JSON_TOKENS, total_tokens: 9 + JSON_TOKENS },
  }),
);

function sseChunk(choices: unknown[], usage?: unknown): Buffer {
  const body = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices, ...(usage ? { usage } : {}) };
  return Buffer.from(`data: ${JSON.stringify(body)}\n\n`);
}

interface StreamBodies {
  /** The role chunk, sent with the headers. */
  head: Buffer;
  /** One buffer per content chunk. */
  content: Buffer[];
  /** Finish chunk + usage chunk + `[DONE]`, sent with the last content chunk. */
  tail: Buffer;
  /** Everything at once, for unpaced streams. */
  whole: Buffer;
}

// Bodies are built once per chunk count so a request costs a lookup and a write.
const streamCache = new Map<number, StreamBodies>();
function streamBodies(n: number): StreamBodies {
  let bodies = streamCache.get(n);
  if (!bodies) {
    const head = sseChunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    const content = Array.from({ length: n }, (_, i) => sseChunk([{ index: 0, delta: { content: token(i + 1) }, finish_reason: null }]));
    const tail = Buffer.concat([
      sseChunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
      sseChunk([], { prompt_tokens: 9, completion_tokens: n, total_tokens: 9 + n }),
      Buffer.from('data: [DONE]\n\n'),
    ]);
    bodies = { head, content, tail, whole: Buffer.concat([head, ...content, tail]) };
    streamCache.set(n, bodies);
  }
  return bodies;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(COMPLETION.length) };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
// A regex on the raw body instead of JSON.parse: the mock must stay much cheaper than the gateway.
const STREAM_RE = /"stream"\s*:\s*true/;
const SEGMENT_RE = /\/([pn])(\d+)(?=\/)/g;

function respond(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = req.url ?? '';
  // An OTLP/HTTP trace sink, so the bench can measure the gateway with tracing on.
  if (req.method === 'POST' && url === '/v1/traces') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  if (req.method !== 'POST' || !url.endsWith('/v1/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
    return;
  }
  if (!STREAM_RE.test(body)) {
    res.writeHead(200, JSON_HEADERS).end(COMPLETION);
    return;
  }
  let paceMs = 0;
  let count = JSON_TOKENS;
  for (const [, key, value] of url.matchAll(SEGMENT_RE)) {
    if (key === 'p') paceMs = Number(value);
    else count = Math.max(1, Number(value));
  }
  const bodies = streamBodies(count);
  res.writeHead(200, SSE_HEADERS);
  if (paceMs === 0) {
    res.end(bodies.whole);
    return;
  }
  res.write(bodies.head);
  let next = 0;
  const timer = setInterval(() => {
    const chunk = bodies.content[next++];
    if (!chunk || res.destroyed) return stop();
    if (next < bodies.content.length) res.write(chunk);
    else {
      res.end(Buffer.concat([chunk, bodies.tail]));
      stop();
    }
  }, paceMs);
  const stop = () => clearInterval(timer);
  res.on('close', stop);
}

/** Starts the mock; resolves with the server and its base URL (`http://host:port`, no `/v1`). */
export async function startMockUpstream(port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (data: string) => (body += data));
    req.on('end', () => respond(req, res, body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { server } = await startMockUpstream(Number(process.env.PORT ?? 9100), process.env.HOST ?? '127.0.0.1');
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
}
