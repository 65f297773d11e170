import { bodyWriter, type BodyWriter } from '../server/body-writer.js';
import { clientGone } from '../services/call-registry.js';
import { classifyFailure } from '../errors/classify-failure.js';
import type { ChatCall } from '../services/chat-service.js';
import type { ChatStreamEvent } from '../services/chat-types.js';
import { toOpenAIError, type OpenAIError } from './openai-error.js';
import type { RestContext } from './rest-context.js';

/**
 * Runs one chat for a REST request. The call is aborted when the client goes
 * away before `finish()` is called (or the shutdown grace ends), and closed after.
 * Not an async function: `run` (and whatever it holds, such as the prompt) is let go of once
 * it has started, not kept in a suspended frame for a stream's life.
 */
export function withChatCall<T>(context: RestContext, run: (chatCall: ChatCall, finish: () => void) => Promise<T>): Promise<T> {
  const { res, principal, requestId, services } = context;
  const call = services.calls.open();
  let finished = false;
  const onClose = () => {
    if (!finished) call.abort(clientGone('connection'));
  };
  res.on('close', onClose);
  const over = () => {
    res.off('close', onClose);
    call.close();
  };
  let running: Promise<T>;
  try {
    running = run({ principal, requestId, signal: call.signal }, () => {
      finished = true;
    });
  } catch (error: unknown) {
    over();
    throw error;
  }
  return running.finally(over);
}

/** How one endpoint renders a stream as SSE frames (each a complete `data:`/`event:` block). */
export interface SseRenderer {
  frames(event: ChatStreamEvent): string[];
  /** After the last event. */
  end(): string[];
  /** A failure after the stream started; `shaped` is the error in OpenAI's shape. */
  fail(shaped: OpenAIError): string[];
}

/** Writes an event's frames as one piece; false when the client has fallen behind. */
function send(body: BodyWriter, frames: string[]): boolean {
  if (frames.length === 0) return true;
  return body.write(frames.length === 1 ? (frames[0] as string) : frames.join(''));
}

/**
 * Relays chat events as SSE. The first event decides the status, so an
 * admission error (401, 429, 404…) is still a real HTTP error; after that, a
 * failure becomes the renderer's error frames. The next event is pulled once
 * the client has taken the last one, so a slow reader makes deltas coalesce
 * upstream of here instead of a buffer grow. A client that goes away stops
 * the relay and the upstream.
 */
export async function relayAsSse(context: RestContext, events: AsyncGenerator<ChatStreamEvent>, renderer: SseRenderer, finish: () => void): Promise<void> {
  const { res, requestId } = context;
  let next: IteratorResult<ChatStreamEvent>;
  try {
    next = await events.next();
  } catch (error: unknown) {
    finish();
    throw error;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': requestId });
  res.flushHeaders();
  const body = bodyWriter(res);
  try {
    while (!next.done && !res.destroyed) {
      if (!send(body, renderer.frames(next.value))) await body.writable();
      if (res.destroyed) break;
      next = await events.next();
    }
    if (!res.destroyed) send(body, renderer.end());
  } catch (error: unknown) {
    if (!res.destroyed) {
      const shaped = toOpenAIError(error);
      if (shaped.status >= 500 && shaped.body.error.code === 'internal_error' && classifyFailure(error).kind === 'fault') context.logger.error({ err: error, requestId }, 'REST stream failed');
      send(body, renderer.fail(shaped));
    }
  } finally {
    finish();
    if (res.destroyed) void events.return(undefined).catch(() => undefined);
    res.end();
  }
}
