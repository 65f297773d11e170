import { clientGone } from '../services/call-registry.js';
import { classifyFailure } from '../errors/classify-failure.js';
import type { ChatCall } from '../services/chat-service.js';
import type { ChatStreamEvent } from '../services/chat-types.js';
import { toOpenAIError, type OpenAIError } from './openai-error.js';
import type { RestContext } from './rest-context.js';

/**
 * Runs one chat for a REST request. The call is aborted when the client goes
 * away before `finish()` is called (or the shutdown grace ends), and closed after.
 */
export async function withChatCall<T>(context: RestContext, run: (chatCall: ChatCall, finish: () => void) => Promise<T>): Promise<T> {
  const { res, principal, requestId, services } = context;
  const call = services.calls.open();
  let finished = false;
  const onClose = () => {
    if (!finished) call.abort(clientGone('connection'));
  };
  res.once('close', onClose);
  try {
    return await run({ principal, requestId, signal: call.signal }, () => {
      finished = true;
    });
  } finally {
    res.off('close', onClose);
    call.close();
  }
}

/** How one endpoint renders a stream as SSE frames (each a complete `data:`/`event:` block). */
export interface SseRenderer {
  frames(event: ChatStreamEvent): string[];
  /** After the last event. */
  end(): string[];
  /** A failure after the stream started; `shaped` is the error in OpenAI's shape. */
  fail(shaped: OpenAIError): string[];
}

/**
 * Relays chat events as SSE. The first event decides the status, so an
 * admission error (401, 429, 404…) is still a real HTTP error; after that, a
 * failure becomes the renderer's error frames. A client that goes away stops
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
  try {
    while (!next.done && !res.destroyed) {
      for (const frame of renderer.frames(next.value)) res.write(frame);
      next = await events.next();
    }
    if (!res.destroyed) for (const frame of renderer.end()) res.write(frame);
  } catch (error: unknown) {
    if (!res.destroyed) {
      const shaped = toOpenAIError(error);
      if (shaped.status >= 500 && shaped.body.error.code === 'internal_error' && classifyFailure(error).kind === 'fault') context.logger.error({ err: error, requestId }, 'REST stream failed');
      for (const frame of renderer.fail(shaped)) res.write(frame);
    }
  } finally {
    finish();
    if (res.destroyed) void events.return(undefined).catch(() => undefined);
    res.end();
  }
}
