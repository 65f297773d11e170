import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyWriter } from '../../src/server/body-writer.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A real server whose one response the test drives; resolves with it once a client asked. */
async function serveOne(): Promise<{ port: number; response: Promise<ServerResponse> }> {
  let answer!: (res: ServerResponse) => void;
  const response = new Promise<ServerResponse>((resolve) => (answer = resolve));
  const server = createServer((_req, res) => answer(res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, response };
}

function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request({ port, host: '127.0.0.1', path: '/' }, resolve).on('error', reject).end());
}

const PIECE = `${'é'.repeat(32_767)}\n`; // 64 KiB of UTF-8 in 32,768 characters: the chunk size is in bytes

describe('bodyWriter', () => {
  it('says when the client falls behind, resumes on drain, and Node parses every chunk back', async () => {
    const { port, response } = await serveOne();
    const reply = get(port);
    const res = await response;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    const incoming = await reply;
    incoming.pause(); // the client does not read: the socket fills
    const body = bodyWriter(res);
    let written = 0;
    while (body.write(PIECE)) {
      written++;
      expect(written).toBeLessThan(2_000); // 128 MiB: backpressure never came
    }
    written++;
    const resumed = body.writable();
    let received = '';
    incoming.setEncoding('utf8').on('data', (text: string) => (received += text));
    incoming.resume();
    await resumed;
    expect(body.write('tail')).toBe(true);
    res.end();
    await new Promise((resolve) => incoming.on('end', resolve));
    expect(received.length).toBe(written * PIECE.length + 'tail'.length);
    expect(received.endsWith(`${PIECE}tail`)).toBe(true);
  });

  it('resolves writable() when the client leaves instead of reading', async () => {
    const { port, response } = await serveOne();
    const reply = get(port);
    const res = await response;
    res.writeHead(200);
    res.flushHeaders();
    const incoming = await reply;
    incoming.pause();
    const body = bodyWriter(res);
    while (body.write(PIECE));
    const waiting = body.writable();
    incoming.destroy();
    await waiting;
    expect(res.destroyed || res.socket === null || res.socket.destroyed).toBe(true);
  });
});
