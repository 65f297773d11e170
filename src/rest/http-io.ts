import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import { readBody } from '../server/read-body.js';
import { jsonDeeperThan, MAX_JSON_BODY_DEPTH } from './json-depth.js';

/**
 * Reads a JSON body with the gateway's one body reader (read-body.ts): refuses (413) more than
 * `maxBytes` (decoded) without buffering the rest, and (408) a body slower than `requestTimeoutMs`.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, requestTimeoutMs = 0): Promise<unknown> {
  const body = await readBody(req, { maxBodyBytes: maxBytes, requestTimeoutMs });
  const text = body.toString('utf8');
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
