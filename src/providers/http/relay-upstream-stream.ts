import type { ChatStreamPart } from '../contract.js';
import { ProviderError } from '../provider-error.js';
import { createSseParser, type SseEvent } from './parse-sse.js';
import { transportError, type UpstreamResponse } from './send-upstream.js';

/**
 * One provider's stream decoder, for one stream: fed SSE events synchronously,
 * it appends the stream parts each one carries to `out`.
 */
export interface StreamDecoder {
  /** Decodes one event into `out`; true when the stream is over (later events are not read). */
  event(event: SseEvent, out: ChatStreamPart[]): boolean;
  /**
   * The body ended, or `event` said the stream is over: appends the closing parts
   * (e.g. an `error` part for a stream cut before its finish). Nothing after a
   * decoded `error` part.
   */
  end(out: ChatStreamPart[]): void;
}

/** Makes a fresh decoder per stream: `provider` names the adapter in the errors it reports. */
export type CreateStreamDecoder = (provider: string) => StreamDecoder;

/**
 * The one pull loop of a streaming adapter: each network read goes through the
 * SSE parser and the provider's decoder in one synchronous pass, and the parts
 * it produced are handed on together (no async step between the layers).
 * A transport failure mid-stream becomes a final `error` part (an abort rethrows
 * the caller's reason), and the upstream socket is released however the stream
 * ends: done, failed, or left early by the consumer (cancel, fallback).
 */
export async function* relayUpstreamStream(
  provider: string,
  response: UpstreamResponse,
  signal: AbortSignal,
  createDecoder: CreateStreamDecoder,
): AsyncGenerator<ChatStreamPart> {
  const parser = createSseParser();
  const decoder = createDecoder(provider);
  let over = false;
  /** Decodes the events of one read; stops at the event that ends the stream. */
  const decode = (events: SseEvent[], out: ChatStreamPart[]): ChatStreamPart[] => {
    for (const event of events) {
      if (decoder.event(event, out)) {
        over = true;
        break;
      }
    }
    return out;
  };
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array | string>) {
      const parts = decode(parser.push(chunk), []);
      if (over) {
        decoder.end(parts);
        for (const part of parts) yield part;
        return;
      }
      for (const part of parts) yield part;
    }
    const parts = over ? [] : decode(parser.end(), []);
    decoder.end(parts);
    for (const part of parts) yield part;
  } catch (error: unknown) {
    const failure = transportError(provider, error, signal);
    if (!(failure instanceof ProviderError)) throw failure;
    yield { type: 'error', error: failure };
  } finally {
    if (!response.body.destroyed) response.body.destroy();
  }
}
