import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { GatewayError, type ErrorCode } from '../errors/gateway-error.js';

/** What bounds a request body. */
export interface BodyLimits {
  /** Largest body accepted, in bytes, counted after decoding any `content-encoding`. */
  maxBodyBytes: number;
  /** How long the whole body may take to arrive, in milliseconds (0: no limit of ours). */
  requestTimeoutMs: number;
}

/**
 * A body that cannot be read: too large (413), too slow (408), in an encoding the gateway does
 * not decode (415) or corrupt (400). `status` is the HTTP status of the answer, `code` the stable
 * `extensions.code`; the connection should be closed after the answer (the rest is not drained).
 */
export class BodyReadError extends GatewayError {
  readonly status: number;
  constructor(code: ErrorCode, status: number, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
    this.name = 'BodyReadError';
    this.status = status;
  }
}

/** The client went away before its body was complete: there is nobody to answer. */
export const BODY_ABORTED = Object.freeze(new Error('the request body ended early'));

const DECODERS: ReadonlyMap<string, () => Transform> = new Map([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

function tooLarge(maxBodyBytes: number): BodyReadError {
  return new BodyReadError('PAYLOAD_TOO_LARGE', 413, `The request body is larger than ${maxBodyBytes} bytes.`, { maxBodyBytes });
}

/** True when the request announces a body (a length above zero, or a transfer encoding). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Reads a whole request body, whatever its media type or transfer encoding (content-length or
 * chunked), decoding gzip/deflate/br. The limit applies to the bytes received and to the decoded
 * bytes (so a small compressed body cannot expand past it), and the read is abandoned at once:
 * a declared length over the limit is refused before a byte is read. A body that does not arrive
 * within `requestTimeoutMs` is refused too. Rejects with `BodyReadError`, or `BODY_ABORTED`.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const { maxBodyBytes, requestTimeoutMs } = limits;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return Promise.reject(tooLarge(maxBodyBytes));
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  // A Map, not an object: a header such as "constructor" must not find a prototype member.
  const makeDecoder = encoding === 'identity' || encoding === '' ? undefined : DECODERS.get(encoding);
  if (encoding !== 'identity' && encoding !== '' && !makeDecoder) {
    return Promise.reject(new BodyReadError('BAD_USER_INPUT', 415, `Expected a content-encoding of gzip, deflate, br or identity, but got "${encoding}".`));
  }

  return new Promise<Buffer>((resolve, reject) => {
    const decoder = makeDecoder?.();
    const source: NodeJS.ReadableStream = decoder ?? req;
    const chunks: Buffer[] = [];
    let received = 0;
    let decoded = 0;
    let settled = false;
    const timer =
      requestTimeoutMs > 0
        ? setTimeout(() => fail(new BodyReadError('BAD_USER_INPUT', 408, `The request body did not arrive within ${requestTimeoutMs} ms.`, { requestTimeoutMs })), requestTimeoutMs)
        : undefined;
    timer?.unref();

    const finish = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      req.off('data', onReceived);
      req.off('aborted', onAborted);
      req.off('close', onClosed);
      req.off('error', onAborted);
      source.removeListener('data', onDecoded);
      source.removeListener('end', onEnd);
      decoder?.off('error', onCorrupt);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      finish();
      if (decoder) req.unpipe(decoder);
      decoder?.destroy();
      // Whatever else arrives is discarded (not buffered) until the answer closes the connection;
      // a client that keeps sending is cut by node's requestTimeout.
      req.resume();
      reject(error);
    };
    const onReceived = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodyBytes) fail(tooLarge(maxBodyBytes));
    };
    const onDecoded = (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > maxBodyBytes) fail(tooLarge(maxBodyBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      finish();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, decoded));
    };
    const onAborted = () => fail(BODY_ABORTED);
    const onClosed = () => {
      if (!req.complete) fail(BODY_ABORTED);
    };
    const onCorrupt = () => fail(new BodyReadError('BAD_USER_INPUT', 400, `The request body is not valid ${encoding} data.`));

    req.on('data', onReceived);
    req.on('aborted', onAborted);
    req.on('close', onClosed);
    req.on('error', onAborted);
    decoder?.on('error', onCorrupt);
    source.on('data', onDecoded);
    source.on('end', onEnd);
    if (decoder) req.pipe(decoder);
  });
}
