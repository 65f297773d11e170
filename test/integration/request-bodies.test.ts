import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const LIMIT = 65_536;
const KEY = 'sk-bodies-0123456789abcdef';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends a body as a stream of chunks (chunked transfer encoding unless a content-length is
 * given), stopping as soon as the server answers, and resolves with the answer.
 */
function sendChunked(url: string, headers: Record<string, string>, chunks: Iterable<Buffer>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, { method: 'POST', headers }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    // A server that answers and closes early resets the upload: the answer is what matters.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    const iterator = chunks[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        if (answered || request.destroyed) return;
        const next = iterator.next();
        if (next.done) {
          request.end();
          return;
        }
        if (!request.write(next.value)) {
          request.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function* repeat(chunk: Buffer, times: number): Generator<Buffer> {
  for (let index = 0; index < times; index++) yield chunk;
}

const codeOf = (answer: RawAnswer) => (JSON.parse(answer.text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code;
const mutation = 'mutation { chat(input: {model: "local/echo", messages: [{role: USER, content: "paid"}]}) { message { content } } }';

describe('one body reader for every media type and transfer encoding', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
server: { maxBodyBytes: ${LIMIT} }
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth: { keys: [{ id: bodies, secret: "\${KEY}", scopes: [chat, models, embed] }] }
`,
      { KEY },
    );
  });
  afterAll(async () => {
    await gw.stop();
  });

  /** How many mutations the gateway executed, from its operation log (one debug line each). */
  const executedChats = () => gw.logs.filter((line) => line.includes('"type":"mutation"')).length;

  it('refuses a chunked urlencoded body over the limit with 413 PAYLOAD_TOO_LARGE, without executing it', async () => {
    const before = executedChats();
    // A valid form body: the mutation, then a long padding variable (1 MiB in all, 16 × the limit).
    const head = Buffer.from(`query=${encodeURIComponent(mutation)}&padding=`);
    const answer = await sendChunked(gw.url, { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${KEY}` }, [head, ...repeat(Buffer.alloc(16_384, 'x'), 64)]);
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('PAYLOAD_TOO_LARGE');
    expect(executedChats()).toBe(before);
  });

  it.each([
    ['multipart/form-data; boundary=xyz', (size: number) => Buffer.concat([Buffer.from(`--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ models { id } }","pad":"`), Buffer.alloc(size, 'x'), Buffer.from('"}\r\n--xyz--\r\n')])],
    ['text/plain', (size: number) => Buffer.from(JSON.stringify({ query: '{ models { id } }', pad: 'x'.repeat(size) }))],
    ['application/graphql+json', (size: number) => Buffer.from(JSON.stringify({ query: '{ models { id } }', pad: 'x'.repeat(size) }))],
    ['application/json', (size: number) => Buffer.from(JSON.stringify({ query: '{ models { id } }', pad: 'x'.repeat(size) }))],
    ['application/x-www-form-urlencoded', (size: number) => Buffer.from(`query=%7Bmodels%7Bid%7D%7D&pad=${'x'.repeat(size)}`)],
  ])('%s over the limit: 413 PAYLOAD_TOO_LARGE, chunked or with a content-length', async (contentType, body) => {
    const big = body(LIMIT * 2);
    const headers = { 'content-type': contentType, authorization: `Bearer ${KEY}` };
    const chunked = await sendChunked(gw.url, headers, [big.subarray(0, 1000), big.subarray(1000)]);
    expect([chunked.status, codeOf(chunked)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const declared = await sendChunked(gw.url, { ...headers, 'content-length': String(big.length) }, [big]);
    expect([declared.status, codeOf(declared)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('reads a chunked urlencoded body within the limit and executes it', async () => {
    const answer = await sendChunked(gw.url, { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${KEY}` }, [Buffer.from('query='), Buffer.from(encodeURIComponent(mutation))]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ data: { chat: { message: { content: 'paid' } } } });
  });

  it('decodes gzip bodies, and a decompression bomb hits the limit on decoded bytes', async () => {
    const small = gzipSync(JSON.stringify({ query: mutation }));
    const fine = await sendChunked(gw.url, { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${KEY}` }, [small]);
    expect(fine.status).toBe(200);
    expect(JSON.parse(fine.text)).toEqual({ data: { chat: { message: { content: 'paid' } } } });

    // ~10 KB on the wire, 10 MB once decoded.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"query":"{ models { id } }","pad":"'), Buffer.alloc(10 * 1024 * 1024, 'x'), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(LIMIT);
    for (const path of ['/graphql', '/v1/chat/completions']) {
      const answer = await sendChunked(`${gw.origin}${path}`, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length), authorization: `Bearer ${KEY}` }, [bomb]);
      expect(answer.status).toBe(413);
      expect(answer.text).toMatch(/PAYLOAD_TOO_LARGE|payload_too_large/);
    }
  });

  it('refuses an encoding it does not decode with 415, and a corrupt gzip body with 400', async () => {
    for (const encoding of ['zstd', 'constructor', '__proto__', 'gzip, br']) {
      const unknown = await sendChunked(gw.url, { 'content-type': 'application/json', 'content-encoding': encoding, authorization: `Bearer ${KEY}` }, [Buffer.from('{}')]);
      expect([unknown.status, codeOf(unknown)]).toEqual([415, 'BAD_USER_INPUT']);
    }
    const corrupt = await sendChunked(gw.url, { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${KEY}` }, [Buffer.from('not gzip at all')]);
    expect([corrupt.status, codeOf(corrupt)]).toEqual([400, 'BAD_USER_INPUT']);
  });

  it('/v1 refuses a chunked body over the limit with 413 in OpenAI shape', async () => {
    const answer = await sendChunked(`${gw.origin}/v1/chat/completions`, { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, [Buffer.from('{"model":"local/echo","messages":[{"role":"user","content":"'), ...repeat(Buffer.alloc(16_384, 'x'), 16)]);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});

describe('header and body read timeouts (server.requestTimeoutMs)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(`
server: { requestTimeoutMs: 400 }
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
`);
  });
  afterAll(async () => {
    await gw.stop();
  });

  /** Writes raw bytes on a socket and resolves with everything the server sent once it closes the socket. */
  function stall(text: string): Promise<{ reply: string; heldMs: number }> {
    const { port } = new URL(gw.url);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
      let reply = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (reply += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve({ reply, heldMs: Date.now() - started }));
    });
  }

  it('drops a request whose body stalls half-way, with 408', async () => {
    const { reply, heldMs } = await stall('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":"{ mod');
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(heldMs).toBeLessThan(5_000);
  }, 15_000);

  it('drops a /v1 request whose body stalls half-way', async () => {
    const { reply, heldMs } = await stall('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"mod\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(heldMs).toBeLessThan(5_000);
  }, 15_000);

  it('drops a connection whose headers stall', async () => {
    const { heldMs } = await stall('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty');
    expect(heldMs).toBeLessThan(5_000);
  }, 15_000);
});
