import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors.js';
import { jsonDeeperThan, MAX_JSON_BODY_DEPTH } from './json-depth.js';

/** Reads a JSON body, refusing (413) more than `maxBytes` without buffering the rest. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new GatewayError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`, { details: { maxBodyBytes: maxBytes } });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new GatewayError('BAD_USER_INPUT', 'Expected a JSON request body, but got none.');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError('BAD_USER_INPUT', 'The request body is not valid JSON.');
  }
  // A 100,000-level body parses fine, then overflows the stack of whatever recurses through it next.
  if (jsonDeeperThan(value, MAX_JSON_BODY_DEPTH)) {
    throw new GatewayError('BAD_USER_INPUT', `The request body nests objects and arrays deeper than ${MAX_JSON_BODY_DEPTH} levels.`);
  }
  return value;
}

/** Sends a complete JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** One header of a node:http request as a single string. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
