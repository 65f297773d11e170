import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { bodyWriter } from '../body-writer.js';

/**
 * Writing GraphQL results straight to a node response, byte for byte as Yoga's result
 * processors would (status rules, internal extensions left out, SSE framing), for the
 * fast lane that skips Yoga's fetch-API layer.
 */

interface HttpExtensions {
  status?: number;
  headers?: Record<string, string>;
  spec?: boolean;
}

/** The status for a result, adding the headers its errors ask for (Yoga's `getResponseInitByRespectingErrors`). */
export function statusFor(result: ExecutionResult, headers: Record<string, string>, applicationJson: boolean): number {
  if (!result.errors?.length) return 200;
  let status: number | undefined;
  let unexpected = false;
  for (const error of result.errors) {
    const http = error.extensions?.http as HttpExtensions | undefined;
    if (http) {
      if (http.headers) Object.assign(headers, http.headers);
      if (applicationJson && http.spec) continue;
      if (http.status && (!status || http.status > status)) status = http.status;
    } else if (!(error instanceof GraphQLError) || error.extensions?.unexpected) {
      unexpected = true;
    }
  }
  return status ?? (unexpected && !('data' in result) ? 500 : 200);
}

/** A GraphQL error as Yoga serializes it; anything else (a stream may carry plain errors) as JSON.stringify would. */
function publicError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'GraphQLError') return error;
  const serializable = error as { toJSON?: () => Record<string, unknown> };
  const { extensions: all, ...json } = typeof serializable.toJSON === 'function' ? serializable.toJSON() : { ...error };
  if (!all) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = all as Record<string, unknown>;
  return Object.keys(extensions).length > 0 ? { ...json, extensions } : json;
}

/** The result as JSON, without the extensions that only steer HTTP (`http`, `unexpected`). */
export function stringifyResult(result: ExecutionResult): string {
  if (!result.errors?.length && !result.extensions) return JSON.stringify(result);
  const errors = result.errors?.map(publicError);
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    ...(errors ? { errors } : {}),
    ...('data' in result ? { data: result.data } : {}),
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
  });
}

/** One JSON answer. */
export function writeJson(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': 'no-cache', 'content-encoding': 'none' };
/** Yoga's keep-alive comment interval (shortened under test, as Yoga does). */
const PING_MS = process.env.NODE_ENV === 'test' ? 300 : 12_000;
const PING = ':\n\n';
const COMPLETE = 'event: complete\ndata:\n\n';

/**
 * Every open SSE response, pinged by one shared timer rather than a timer each: an idle
 * stream costs a Set entry, which matters with thousands of them open.
 */
const openStreams = new Set<ServerResponse>();
let pinger: NodeJS.Timeout | undefined;

function track(res: ServerResponse): void {
  openStreams.add(res);
  pinger ??= setInterval(() => {
    // A stream whose client is not reading has a full buffer: it needs no ping.
    for (const stream of openStreams) if (!stream.writableNeedDrain && !stream.socket?.writableNeedDrain) stream.write(PING);
  }, PING_MS).unref();
}

function untrack(res: ServerResponse): void {
  openStreams.delete(res);
  if (openStreams.size === 0 && pinger) {
    clearInterval(pinger);
    pinger = undefined;
  }
}

const uncork = (socket: Socket): void => socket.uncork();

/**
 * A subscription's results as GraphQL over SSE (distinct connections): a ping, one `next`
 * event per result, then `complete`. The next result is pulled only once the socket has
 * taken the last one, so a slow client holds back the source (where deltas coalesce)
 * instead of growing a buffer here. A client that leaves ends the source at once.
 */
export async function writeSse(
  res: ServerResponse,
  headers: Record<string, string>,
  results: AsyncIterable<ExecutionResult>,
  /** A stream that throws ends with one last event carrying the error (as Yoga maps it). */
  resultOfError: (error: unknown) => ExecutionResult,
): Promise<void> {
  const iterator = results[Symbol.asyncIterator]();
  let gone = false;
  const leave = () => {
    gone = true;
    untrack(res);
    void iterator.return?.()?.catch(() => undefined);
  };
  res.on('close', leave);
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  // The head as a piece of its own (flushHeaders), so writing it flattens the string Node keeps
  // for the response's life: joined to the first chunk it would stay a rope of ~60 strings (~2 KB
  // per open stream). Corked until the next tick, as `res.write` would: head, ping and whatever
  // events this tick brings still leave in one write.
  const socket = res.socket;
  if (socket) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  res.flushHeaders();
  res.write(PING);
  const body = bodyWriter(res);
  track(res);
  try {
    for (;;) {
      let next: IteratorResult<ExecutionResult>;
      try {
        next = await iterator.next();
      } catch (error: unknown) {
        if (gone || (error instanceof Error && error.name === 'AbortError')) throw error;
        next = { done: false, value: resultOfError(error) };
        body.write(`event: next\ndata: ${stringifyResult(next.value)}\n\n`);
        break;
      }
      if (gone) return;
      if (next.done) break;
      if (!body.write(`event: next\ndata: ${stringifyResult(next.value)}\n\n`)) {
        await body.writable();
        if (gone) return;
      }
    }
    res.end(COMPLETE);
  } catch {
    // An aborted stream: Yoga errors the response, which cuts the connection, and so do we.
    res.destroy();
  } finally {
    res.off('close', leave);
    untrack(res);
  }
}

/** A subscription that failed before streaming (refused, bad input): one `next` with the errors, then `complete`. */
export function writeSseSingle(res: ServerResponse, headers: Record<string, string>, result: ExecutionResult): void {
  const status = statusFor(result, headers, true);
  res.writeHead(status, { ...SSE_HEADERS, ...headers });
  res.end(`${PING}event: next\ndata: ${stringifyResult(result)}\n\n${COMPLETE}`);
}
