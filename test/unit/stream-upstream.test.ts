import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatStreamPart } from '../../src/providers/contract.js';
import { postJson } from '../../src/providers/http/send-upstream.js';
import { streamUpstream, type StreamDecoder } from '../../src/providers/http/stream-upstream.js';

/** Each `data:` line is one text part; `data: end` says the stream is over. */
const decoder = (): StreamDecoder => ({
  event(event, out) {
    if (event.data === 'end') return true;
    out.push({ type: 'text-delta', text: event.data });
    return false;
  },
  end(out) {
    out.push({ type: 'finish', finishReason: 'stop' });
  },
});

/** One deferred response per request, written by the test; counts the connections opened. */
let server: Server;
let base = '';
let connections = 0;
const waiting: ServerResponse[] = [];
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/refuse-split') {
      // A refusal whose body arrives in two reads, cut inside the "ü" of Zürich.
      const body = Buffer.from(JSON.stringify({ error: { message: 'Quota for Zürich reached' } }));
      const cut = body.indexOf(0xc3) + 1;
      res.writeHead(429, { 'content-type': 'application/json' });
      res.write(body.subarray(0, cut));
      setTimeout(() => res.end(body.subarray(cut)), 20);
      return;
    }
    if (req.url === '/refuse') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    waiting.push(res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await dispatcher.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function open(signal = new AbortController().signal, path = '/stream') {
  return streamUpstream({ dispatcher }, () => ({ provider: 'test', url: `${base}${path}`, headers: { 'content-type': 'application/json' }, body: {}, signal }), decoder);
}

/** The server side of the next request. */
async function nextResponse(): Promise<ServerResponse> {
  while (waiting.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  return waiting.shift() as ServerResponse;
}

/** A stream whose first part ("a") has arrived, and the server's side of it, still open. */
async function openPastFirstPart(signal?: AbortSignal): Promise<{ stream: ReturnType<typeof open>; res: ServerResponse }> {
  const stream = open(signal);
  const first = stream.next();
  const res = await nextResponse();
  res.write('data: a\n\n');
  await first;
  return { stream, res };
}

const texts = (parts: ChatStreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : part.type));

describe('streamUpstream', () => {
  it('hands over the parts of one network read at once, without waiting a turn', async () => {
    const stream = open();
    const first = stream.next();
    const res = await nextResponse();
    res.write('data: a\n\ndata: b\n\ndata: c\n\n');
    expect(await first).toEqual({ done: false, value: { type: 'text-delta', text: 'a' } });
    const folded: ChatStreamPart[] = [];
    stream.drainBuffered((part) => {
      folded.push(part);
      return part.type === 'text-delta' && part.text !== 'b';
    });
    // Synchronous: b was refused (kept for next()), c not reached.
    expect(texts(folded)).toEqual(['b']);
    expect(await stream.next()).toEqual({ done: false, value: { type: 'text-delta', text: 'b' } });
    stream.drainBuffered(() => true);
    res.end('data: end\n\n');
    expect(await stream.next()).toEqual({ done: false, value: { type: 'finish', finishReason: 'stop' } });
    expect((await stream.next()).done).toBe(true);
  });

  it('keeps the upstream connection for the next stream when the body ends with the last event', async () => {
    const before = connections;
    for (let round = 0; round < 3; round++) {
      const stream = open();
      const first = stream.next();
      (await nextResponse()).end('data: x\n\ndata: end\n\n');
      const parts = [(await first).value as ChatStreamPart];
      for (let next = await stream.next(); !next.done; next = await stream.next()) parts.push(next.value);
      expect(texts(parts)).toEqual(['x', 'finish']);
    }
    // Closing a body whose end was already read must not close its connection: one, reused.
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('returns at once while a read is pending, and closes the upstream', async () => {
    const { stream, res } = await openPastFirstPart();
    const pending = stream.next();
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    expect(await stream.return?.()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    await closed;
  });

  it('rejects the first next() with the refusal of a non-2xx answer, and is over after it', async () => {
    const stream = open(undefined, '/refuse');
    await expect(stream.next()).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 7000, status: 429 });
    expect((await stream.next()).done).toBe(true);
  });

  it('keeps the text of a refusal whole when a character is cut between two reads (streams and whole answers)', async () => {
    await expect(open(undefined, '/refuse-split').next()).rejects.toThrow(/Quota for Zürich reached/);
    await expect(postJson({ dispatcher }, { provider: 'test', url: `${base}/refuse-split`, headers: { 'content-type': 'application/json' }, body: {}, signal: new AbortController().signal })).rejects.toThrow(/Quota for Zürich reached/);
  });

  it('ends with an error part, and closes the upstream, when one event grows past 32 MiB without end', async () => {
    const { stream, res } = await openPastFirstPart();
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    const pending = stream.next();
    // A line that never ends, written until the gateway hangs up.
    const piece = Buffer.alloc(1024 * 1024, 'a');
    res.write('data: ');
    for (let written = 0; written <= 33 && !res.destroyed; written++) {
      if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    expect((await pending).value).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('larger than 32 MiB') } });
    expect((await stream.next()).done).toBe(true);
    await closed;
  });

  it('ends with an error part on a transport failure, and rethrows the reason of an abort', async () => {
    const { stream: broken, res } = await openPastFirstPart();
    res.socket?.destroy();
    const failed = await broken.next();
    expect(failed.value).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect((await broken.next()).done).toBe(true);

    const controller = new AbortController();
    const { stream: aborted } = await openPastFirstPart(controller.signal);
    const reason = new Error('cancelled by the test');
    const pending = aborted.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('postJson', () => {
  const post = (path: string, signal = new AbortController().signal) =>
    postJson({ dispatcher }, { provider: 'test', url: `${base}${path}`, headers: { 'content-type': 'application/json' }, body: { hi: true }, signal });

  it('parses a 2xx answer, turns a refusal into its error, and a body that is not JSON into a malformed one', async () => {
    const answered = post('/json');
    (await nextResponse()).end('{"id":"x","choices":[]}');
    expect(await answered).toEqual({ id: 'x', choices: [] });

    await expect(post('/refuse')).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 7000 });

    const garbled = post('/json');
    (await nextResponse()).end('<html>busy</html>');
    await expect(garbled).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('not JSON') });
  });

  it('rejects with the reason of an abort while the body is read, and closes the upstream', async () => {
    const controller = new AbortController();
    const answered = post('/json', controller.signal);
    const res = await nextResponse();
    res.write('{"id":');
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    const reason = new Error('cancelled by the test');
    controller.abort(reason);
    await expect(answered).rejects.toBe(reason);
    await closed;
  });
});
