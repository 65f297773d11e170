import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/**
 * The bytes of a streamed answer, read off a raw socket: the chunked framing must be exact (the
 * SSE bodies are written to the socket framed by the gateway itself), and the connection must
 * serve the next request once the stream is over.
 */

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway('providers: [{ id: local, type: local, tokenDelayMs: 1 }]\n');
});
afterAll(() => gw.stop());

/** Reads one HTTP/1.1 response off `socket` (after `initial`, bytes already read), checking its chunked framing byte for byte; `rest` is what followed it. */
function readResponse(socket: Socket, initial: Buffer = Buffer.alloc(0)): Promise<{ head: string; chunks: string[]; body: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffer: Buffer = initial;
    let head: string | undefined;
    const chunks: string[] = [];
    const fail = (why: string) => {
      socket.off('data', onData);
      reject(new Error(`${why}; at: ${JSON.stringify(buffer.subarray(0, 80).toString('latin1'))}`));
    };
    const parse = (): boolean => {
      if (head === undefined) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return false;
        head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        if (!/^transfer-encoding: chunked$/im.test(head)) {
          fail('not chunked');
          return true;
        }
      }
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n');
        if (lineEnd < 0) return false;
        const sizeLine = buffer.subarray(0, lineEnd).toString('latin1');
        if (!/^[0-9a-f]+$/.test(sizeLine)) {
          fail(`bad chunk size line ${JSON.stringify(sizeLine)}`);
          return true;
        }
        const size = Number.parseInt(sizeLine, 16);
        if (size === 0) {
          if (buffer.length < lineEnd + 4) return false;
          if (buffer.subarray(lineEnd + 2, lineEnd + 4).toString('latin1') !== '\r\n') fail('no CRLF after the last chunk');
          else {
            socket.off('data', onData);
            resolve({ head, chunks, body: chunks.join(''), rest: buffer.subarray(lineEnd + 4) });
          }
          return true;
        }
        if (buffer.length < lineEnd + 2 + size + 2) return false;
        const data = buffer.subarray(lineEnd + 2, lineEnd + 2 + size);
        if (buffer.subarray(lineEnd + 2 + size, lineEnd + 4 + size).toString('latin1') !== '\r\n') {
          fail(`chunk of ${size} bytes not followed by CRLF`);
          return true;
        }
        chunks.push(data.toString('utf8'));
        buffer = buffer.subarray(lineEnd + 4 + size);
      }
    };
    const onData = (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      parse();
    };
    socket.on('data', onData);
    socket.once('error', reject);
    if (buffer.length > 0 && parse()) return;
  });
}

function post(path: string, body: unknown, headers: Record<string, string>, version = '1.1'): string {
  const json = JSON.stringify(body);
  const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)), ...headers });
  return `POST ${path} HTTP/${version}\r\n${lines.map(([key, value]) => `${key}: ${value}`).join('\r\n')}\r\n\r\n${json}`;
}

async function open(): Promise<Socket> {
  const { port } = new URL(gw.origin);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** Echoed back token by token: the chunk sizes count bytes, not characters. */
const TEXT = 'Grüße aus Zürich, 東京 und São Paulo: ½ € 🙂 — done';
const SUBSCRIPTION = { query: `subscription { chatStream(input: { model: "local/echo", messages: [{ role: USER, content: "${TEXT}" }] }) { delta done } }` };

describe('streamed answers on the wire', () => {
  it('GraphQL over SSE: exact chunks, one event each, and the connection serves the next request', async () => {
    const socket = await open();
    socket.write(post('/graphql', SUBSCRIPTION, { accept: 'text/event-stream' }));
    const { head, chunks, body, rest } = await readResponse(socket);
    expect(rest.length).toBe(0);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    const events = chunks.filter((chunk) => chunk.startsWith('event: next'));
    expect(events.length).toBeGreaterThan(1);
    for (const event of events) expect(event).toMatch(/^event: next\ndata: \{.*\}\n\n$/);
    expect(body.endsWith('event: complete\ndata:\n\n')).toBe(true);
    const deltas = events.map((event) => (JSON.parse(event.slice('event: next\ndata: '.length)) as { data: { chatStream: { delta: string } } }).data.chatStream.delta);
    expect(deltas.join('')).toBe(TEXT);

    socket.write(post('/graphql', { query: '{ models { id } }' }, {}));
    const next = await new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString('latin1'))));
    expect(next).toMatch(/^HTTP\/1\.1 200/);
    socket.destroy();
  });

  it('/v1/chat/completions streaming: exact chunks ending with [DONE], and the connection serves the next request', async () => {
    const socket = await open();
    socket.write(post('/v1/chat/completions', { model: 'local/echo', stream: true, messages: [{ role: 'user', content: TEXT }] }, {}));
    const { head, chunks, body } = await readResponse(socket);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(chunks.filter((chunk) => chunk.startsWith('data: {')).length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk).toMatch(/^(data: .*\n\n)+$/);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    const content = body
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => (JSON.parse(frame.slice('data: '.length)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe(TEXT);

    socket.write(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    const next = await new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString('latin1'))));
    expect(next).toMatch(/^HTTP\/1\.1 200/);
    socket.destroy();
  });

  it('two subscriptions pipelined on one connection: the second waits its turn, both framed exactly', async () => {
    const socket = await open();
    socket.write(post('/graphql', SUBSCRIPTION, { accept: 'text/event-stream' }) + post('/graphql', SUBSCRIPTION, { accept: 'text/event-stream' }));
    const first = await readResponse(socket);
    const second = await readResponse(socket, first.rest);
    for (const { head, body } of [first, second]) {
      expect(head).toMatch(/^HTTP\/1\.1 200/);
      const deltas = [...body.matchAll(/^data: (\{.*\})$/gm)].map((match) => (JSON.parse(match[1] as string) as { data: { chatStream: { delta: string } } }).data.chatStream.delta);
      expect(deltas.join('')).toBe(TEXT);
      expect(body.endsWith('event: complete\ndata:\n\n')).toBe(true);
    }
    expect(second.rest.length).toBe(0);
    socket.destroy();
  });

  it('an HTTP/1.0 client gets the events unframed, ended by closing the connection', async () => {
    const socket = await open();
    socket.write(post('/graphql', SUBSCRIPTION, { accept: 'text/event-stream' }, '1.0'));
    let text = '';
    socket.setEncoding('utf8').on('data', (data: string) => (text += data));
    await new Promise((resolve) => socket.once('end', resolve));
    const [head = '', body = ''] = text.split('\r\n\r\n');
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(body.match(/^event: next\ndata: \{.*\}\n\n/gm)?.length).toBeGreaterThan(1);
    expect(body.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });
});
