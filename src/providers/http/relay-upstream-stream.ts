import type { ChatStreamPart } from '../contract.js';
import { ProviderError } from '../provider-error.js';
import { parseSse, type SseEvent } from './parse-sse.js';
import { transportError, type UpstreamResponse } from './send-upstream.js';

/** Turns one provider's SSE events into stream parts; ends with `finish`/`usage`, or an `error` part. */
export type StreamDecoder = (provider: string, events: AsyncIterable<SseEvent>) => AsyncGenerator<ChatStreamPart>;

/**
 * The envelope every streaming adapter shares: a transport failure mid-stream
 * becomes a final `error` part (an abort rethrows the caller's reason), and the
 * upstream socket is released however the stream ends: done, failed, or left
 * early by the consumer (cancel, fallback).
 */
export async function* relayUpstreamStream(
  provider: string,
  response: UpstreamResponse,
  signal: AbortSignal,
  decode: StreamDecoder,
): AsyncGenerator<ChatStreamPart> {
  try {
    yield* decode(provider, parseSse(response.body));
  } catch (error: unknown) {
    const failure = transportError(provider, error, signal);
    if (!(failure instanceof ProviderError)) throw failure;
    yield { type: 'error', error: failure };
  } finally {
    if (!response.body.destroyed) response.body.destroy();
  }
}
