import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayYoga } from '../create-yoga.js';
import { drained } from '../body-writer.js';

/**
 * Hands Yoga a request whose body the gateway has already read (and bounded, and decoded), and
 * sends Yoga's answer: Yoga never reads a client's socket itself, so its parsers (JSON, form,
 * multipart, GraphQL) only ever see a body within `server.maxBodyBytes`.
 */
export async function replayToYoga(yoga: GatewayYoga, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  // Yoga's own Headers, not the global one: the global's first use loads Node's bundled undici (see without-lazy-global.ts).
  const headers = new yoga.fetchAPI.Headers();
  for (let index = 0; index < req.rawHeaders.length; index += 2) headers.append(req.rawHeaders[index] as string, req.rawHeaders[index + 1] as string);
  // The body is decoded and whole now: what described it on the wire no longer does.
  headers.delete('content-encoding');
  headers.delete('transfer-encoding');
  headers.set('content-length', String(body.length));
  const method = req.method ?? 'POST';
  const withBody = method !== 'GET' && method !== 'HEAD';
  if (!withBody) headers.delete('content-length');
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  const response = await yoga.fetch(`http://${req.headers.host ?? 'localhost'}${req.url ?? yoga.graphqlEndpoint}`, {
    method,
    headers,
    ...(withBody ? { body: new Uint8Array(body.buffer, body.byteOffset, body.length) } : {}),
    signal: controller.signal,
  });
  const outgoing: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  res.writeHead(response.status, outgoing);
  if (!response.body) {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (res.destroyed) break;
    if (!res.write(chunk)) {
      await drained(res);
    }
  }
  res.end();
}
