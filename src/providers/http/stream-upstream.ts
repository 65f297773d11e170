import type { ChatStreamPart } from '../contract.js';
import { ProviderError } from '../provider-error.js';
import { createSseParser, type SseEvent, type SseParser } from './parse-sse.js';
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
 * A stream of parts that can also hand over, synchronously, the parts it has
 * already decoded: its consumer folds a burst into one event without waiting a turn.
 */
export interface BufferedPartStream extends AsyncIterableIterator<ChatStreamPart> {
  /** Folds the parts already decoded while `fold` accepts them; a refused part stays for `next()`. */
  drainBuffered(fold: (part: ChatStreamPart) => boolean): void;
}

export function isBufferedPartStream(source: AsyncIterator<ChatStreamPart>): source is BufferedPartStream {
  return typeof (source as Partial<BufferedPartStream>).drainBuffered === 'function';
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
/** Parts decoded but not taken before the socket is paused: the consumer is slow, let TCP hold the rest. */
const HIGH_WATER_PARTS = 256;

/**
 * The one pull loop of a streaming adapter, without an async step per chunk:
 * the body is read in flowing mode, and each network read goes through the SSE
 * parser and the provider's decoder in one synchronous pass into a queue that
 * `next()` and `drainBuffered()` take from. The request is sent on the first
 * `next()` (lazily, as a generator would). A transport failure mid-stream
 * becomes a final `error` part (an abort rethrows the caller's reason, after
 * the parts already decoded), and the upstream socket is released however the
 * stream ends: done, failed, or left early by the consumer (cancel, fallback),
 * whose `return()` never waits for the network.
 */
export function streamUpstream(
  provider: string,
  send: () => Promise<UpstreamResponse>,
  signal: AbortSignal,
  createDecoder: CreateStreamDecoder,
): BufferedPartStream {
  return new UpstreamPartStream(provider, send, signal, createDecoder);
}

type Body = UpstreamResponse['body'];

function release(body: Body): void {
  if (!body.destroyed) body.destroy();
}

class UpstreamPartStream implements BufferedPartStream {
  private queue: ChatStreamPart[] = [];
  private head = 0;
  /** No part will be queued any more (the body ended, failed, or the consumer left). */
  private ended = false;
  /** Thrown once the queue is empty: the abort reason, or a failure to send. */
  private failure: unknown = undefined;
  private failed = false;
  private body: Body | undefined;
  private started = false;
  private waiter: { resolve: (result: IteratorResult<ChatStreamPart>) => void; reject: (error: unknown) => void } | undefined;
  private parser: SseParser | undefined;
  private decoder: StreamDecoder | undefined;

  constructor(
    private readonly provider: string,
    private readonly send: () => Promise<UpstreamResponse>,
    private readonly signal: AbortSignal,
    private readonly createDecoder: CreateStreamDecoder,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatStreamPart>> {
    if (!this.started) this.start();
    if (this.head < this.queue.length) return Promise.resolve({ done: false, value: this.take() });
    if (this.failed) {
      this.failed = false;
      return Promise.reject(this.failure);
    }
    if (this.ended) return Promise.resolve(DONE);
    this.body?.resume();
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  drainBuffered(fold: (part: ChatStreamPart) => boolean): void {
    while (this.head < this.queue.length && fold(this.queue[this.head] as ChatStreamPart)) this.take();
  }

  return(): Promise<IteratorResult<ChatStreamPart>> {
    this.started = true;
    this.finish();
    this.queue = [];
    this.head = 0;
    this.failed = false;
    this.settle(DONE);
    return Promise.resolve(DONE);
  }

  private take(): ChatStreamPart {
    const part = this.queue[this.head++] as ChatStreamPart;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return part;
  }

  private start(): void {
    this.started = true;
    this.send().then(
      (response) => this.read(response.body),
      (error: unknown) => this.fail(error),
    );
  }

  private read(body: Body): void {
    if (this.ended) {
      // The consumer left while the request was on its way.
      if (!body.destroyed) body.destroy();
      return;
    }
    this.body = body;
    this.parser = createSseParser();
    this.decoder = this.createDecoder(this.provider);
    body.on('data', (chunk: Buffer | string) => this.onChunk(chunk));
    body.on('end', () => this.onEnd());
    body.on('error', (error: Error) => this.onError(error));
  }

  private onChunk(chunk: Buffer | string): void {
    if (this.ended) return;
    const parts = this.queue;
    const before = parts.length;
    const decoder = this.decoder as StreamDecoder;
    for (const event of (this.parser as SseParser).push(chunk)) {
      if (decoder.event(event, parts)) {
        decoder.end(parts);
        this.finish();
        break;
      }
    }
    if (parts.length > before || this.ended) this.wake();
    if (!this.ended && parts.length - this.head >= HIGH_WATER_PARTS) this.body?.pause();
  }

  private onEnd(): void {
    if (this.ended) return;
    const decoder = this.decoder as StreamDecoder;
    for (const event of (this.parser as SseParser).end()) if (decoder.event(event, this.queue)) break;
    decoder.end(this.queue);
    this.finish();
    this.wake();
  }

  private onError(error: Error): void {
    if (this.ended) return;
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    const failure = this.body ? transportError(this.provider, error, this.signal) : error;
    if (failure instanceof ProviderError && this.body) {
      this.queue.push({ type: 'error', error: failure });
    } else {
      this.failure = failure;
      this.failed = true;
    }
    this.finish();
    this.wake();
  }

  /**
   * No more parts: release the socket. The rest of a body is usually already parsed (the
   * stream's last event and the body's end come in one read), so the body gets one turn to
   * end on its own and keep its connection; one still open after it is destroyed, which
   * closes its connection.
   */
  private finish(): void {
    this.ended = true;
    const body = this.body;
    if (body && !body.readableEnded) setImmediate(release, body);
  }

  /** Hands the next part (or the end) to a consumer waiting in `next()`. */
  private wake(): void {
    if (!this.waiter) return;
    if (this.head < this.queue.length) return this.settle({ done: false, value: this.take() });
    if (this.failed) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      this.failed = false;
      return reject(this.failure);
    }
    if (this.ended) this.settle(DONE);
  }

  private settle(result: IteratorResult<ChatStreamPart>): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    waiter.resolve(result);
  }
}
