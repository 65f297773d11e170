import type { Dispatcher } from 'undici';
import { ProviderError } from '../provider-error.js';
import { errorFromResponse } from './error-from-response.js';
import { reasonOf, type CancelSignal } from '../cancel-signal.js';

/** What adapters need to reach their upstream; built once by the composition root. */
export interface UpstreamTransport {
  /** A pooled, keep-alive HTTP dispatcher shared by the providers. */
  dispatcher: Dispatcher;
}

export interface UpstreamCall {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: CancelSignal;
}


const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function errorCodeOf(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Maps a transport failure (not an HTTP status) to a ProviderError; aborts pass through. */
export function transportError(provider: string, error: unknown, signal: CancelSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof ProviderError) return error;
  const code = errorCodeOf(error) ?? errorCodeOf((error as { cause?: unknown } | undefined)?.cause);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ProviderError('UPSTREAM_TIMEOUT', `Provider "${provider}" did not answer in time.`, {
      provider,
      retryable: true,
      cause: error,
    });
  }
  const reason = code && NETWORK_ERROR_CODES.has(code) ? ` (${code})` : '';
  return new ProviderError('UPSTREAM_UNAVAILABLE', `Could not reach provider "${provider}"${reason}.`, {
    provider,
    retryable: true,
    cause: error,
  });
}

/** How much of an error answer's body is kept for its message. */
export const MAX_ERROR_BODY = 64 * 1024;

/**
 * An answer's body as its chunks came, decoded once at the end (a chunk may end inside a
 * character). An error answer keeps only its first MAX_ERROR_BODY bytes or so.
 */
export class BodyChunks {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer, limit = Number.POSITIVE_INFINITY): void {
    if (this.size >= limit) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  text(): string {
    return (this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size)).toString('utf8');
  }
}

/**
 * From this many characters of JSON on, a request body goes to undici as a one-shot iterable.
 * undici's request holds a string or Buffer body until the answer ends, which for a stream is its
 * whole life: an open stream would keep a copy of its prompt. Smaller bodies stay on the direct path.
 */
const HELD_BODY_LIMIT = 16 * 1024;

/** A body handed out once, then dropped: a finished generator would still hold its argument. */
class OneShotBody implements IterableIterator<Buffer> {
  constructor(private bytes: Buffer | undefined) {}

  next(): IteratorResult<Buffer> {
    const bytes = this.bytes;
    this.bytes = undefined;
    return bytes ? { done: false, value: bytes } : { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** Upstream URLs come from the catalog, so they are few: each is parsed once. Bounded all the same. */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_TARGETS = 1_024;

function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    if (targets.size < MAX_TARGETS) targets.set(url, target);
  }
  return target;
}

/** Where a request goes, as undici's dispatcher takes it. */
export function dispatchOptions(call: UpstreamCall): Dispatcher.DispatchOptions {
  const { origin, path } = targetOf(call.url);
  const json = JSON.stringify(call.body);
  const options = { origin, path, method: 'POST' as const, headers: call.headers, body: json };
  if (json.length < HELD_BODY_LIMIT) return options;
  const bytes = Buffer.from(json);
  // With its length given, undici sends the iterable as one plain body (not chunked) and lets go of it once sent.
  // Its docs list Iterable for `body`; its types do not.
  const body = new OneShotBody(bytes) as unknown as Dispatcher.DispatchOptions['body'];
  return { ...options, headers: { ...call.headers, 'content-length': String(bytes.length) }, body };
}

/**
 * POSTs JSON to an upstream and resolves with its 2xx answer parsed, or rejects
 * with a ProviderError (an HTTP error status, a network failure, a body that is
 * not JSON) or the abort reason. Read through undici's dispatcher with a handler:
 * the body's chunks are kept as they come, with no stream object around them.
 */
export function postJson(transport: UpstreamTransport, call: UpstreamCall): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const { signal } = call;
    if (signal.aborted) return reject(signal.reason);
    let options: Dispatcher.DispatchOptions;
    try {
      options = dispatchOptions(call);
    } catch (error: unknown) {
      return reject(error);
    }
    const exchange = new JsonExchange(call, resolve, reject);
    signal.addEventListener('abort', exchange.onAbort, { once: true });
    try {
      transport.dispatcher.dispatch(options, exchange);
    } catch (error: unknown) {
      exchange.onResponseError(undefined, error as Error);
    }
  });
}

class JsonExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private body = new BodyChunks();
  private settled = false;
  readonly onAbort = () => this.controller?.abort(reasonOf(this.call.signal));

  constructor(
    private readonly call: UpstreamCall,
    private readonly resolve: (body: unknown) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.call.signal.aborted) controller.abort(reasonOf(this.call.signal));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body.push(chunk, this.ok() ? Number.POSITIVE_INFINITY : MAX_ERROR_BODY);
  }

  onResponseEnd(): void {
    const text = this.text();
    if (!this.ok()) return this.fail(errorFromResponse(this.call.provider, this.status, this.headers, text));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error: unknown) {
      return this.fail(malformedError(this.call.provider, 'a response body that is not JSON', error));
    }
    this.done();
    this.resolve(body);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const { provider, signal } = this.call;
    // An error status whose body was cut off is still that status's error.
    if (this.status !== 0 && !this.ok() && !signal.aborted) return this.fail(errorFromResponse(provider, this.status, this.headers, this.text()));
    this.fail(transportError(provider, error, signal));
  }

  private ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  private text(): string {
    return this.body.text();
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.done();
    this.reject(error);
  }

  private done(): void {
    this.settled = true;
    this.body = new BodyChunks();
    this.call.signal.removeEventListener('abort', this.onAbort);
  }
}

/** The upstream reported an error inside a 2xx answer (an SSE error event, an `error` body). */
export function inBandError(provider: string, message: string | undefined): ProviderError {
  return new ProviderError('UPSTREAM_UNAVAILABLE', `Provider "${provider}" failed mid-answer: ${(message ?? 'an error').slice(0, 300)}`, {
    provider,
    retryable: true,
  });
}

/** The upstream sent something that does not follow its own wire format. */
export function malformedError(provider: string, what: string, cause?: unknown): ProviderError {
  return new ProviderError('UPSTREAM_UNAVAILABLE', `Provider "${provider}" sent ${what}.`, {
    provider,
    retryable: true,
    cause,
  });
}
