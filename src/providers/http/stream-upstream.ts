import type { ChatStreamPart } from '../contract.js';
import { ProviderError } from '../provider-error.js';
import { createSseParser, SseEventTooLarge, type SseEvent, type SseParser } from './parse-sse.js';
import type { Dispatcher } from 'undici';
import { errorFromResponse } from './error-from-response.js';
import { BodyChunks, dispatchOptions, malformedError, MAX_ERROR_BODY, transportError, type UpstreamCall, type UpstreamTransport } from './send-upstream.js';
import { reasonOf, type CancelSignal } from '../cancel-signal.js';

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
 * The one pull loop of a streaming adapter, without an async step or a stream
 * object per chunk: the request goes through undici's dispatcher with a handler,
 * and each network read goes through the SSE parser and the provider's decoder
 * in one synchronous pass into a queue that `next()` and `drainBuffered()` take
 * from. The request is built and sent on the first `next()` (lazily, as a
 * generator would). A refusal (non-2xx) or a failure before the answer rejects
 * that `next()`; a transport failure mid-stream becomes a final `error` part (an
 * abort rethrows the caller's reason, after the parts already decoded). The
 * upstream connection is released however the stream ends: done, failed, or
 * left early by the consumer (cancel, fallback), whose `return()` never waits
 * for the network.
 */
export function streamUpstream(transport: UpstreamTransport, callOf: () => UpstreamCall, createDecoder: CreateStreamDecoder): BufferedPartStream {
  return new UpstreamPartStream(transport, callOf, createDecoder);
}

type Controller = Dispatcher.DispatchController;

class UpstreamPartStream implements BufferedPartStream, Dispatcher.DispatchHandler {
  private queue: ChatStreamPart[] = [];
  private head = 0;
  /** No part will be queued any more (the body ended, failed, or the consumer left). */
  private ended = false;
  /** The upstream answer is over (its end or its failure seen): nothing to abort. */
  private complete = false;
  /** Thrown once the queue is empty: the abort reason, a refusal, or a failure before the answer. */
  private failure: unknown = undefined;
  private failed = false;
  private started = false;
  /** The call's provider and signal, once it has started (not the call: its body is not needed once it is sent). */
  private provider = '';
  private signal: CancelSignal | undefined;
  private controller: Controller | undefined;
  /** Set once a 2xx answer has started: its body is the stream. */
  private parser: SseParser | undefined;
  private decoder: StreamDecoder | undefined;
  /** A refusal's status, headers and body, read whole for its error. */
  private refusal: { status: number; headers: Record<string, string | string[] | undefined>; body: BodyChunks } | undefined;
  private waiter: { resolve: (result: IteratorResult<ChatStreamPart>) => void; reject: (error: unknown) => void } | undefined;
  private readonly onAbort = () => this.controller?.abort(reasonOf(this.signal as CancelSignal));

  constructor(
    private readonly transport: UpstreamTransport,
    private callOf: (() => UpstreamCall) | undefined,
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
    if (this.controller?.paused) this.controller.resume();
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

  // The dispatcher's handler: called by undici, synchronously, as the answer arrives.

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    // Aborted, or left by the consumer, while the request was on its way.
    const signal = this.signal as CancelSignal;
    if (signal.aborted) controller.abort(reasonOf(signal));
    else if (this.ended) controller.abort(new Error('the stream was closed'));
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // undici keeps the raw header buffers on the controller, which this stream holds until it ends: ~1 KB per open stream.
    controller.rawHeaders = null;
    if (statusCode >= 200 && statusCode < 300) {
      this.parser = createSseParser();
      this.decoder = this.createDecoder(this.provider);
    } else {
      this.refusal = { status: statusCode, headers, body: new BodyChunks() };
    }
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.refusal) {
      this.refusal.body.push(chunk, MAX_ERROR_BODY);
      return;
    }
    if (this.ended) return;
    const parts = this.queue;
    const before = parts.length;
    const decoder = this.decoder as StreamDecoder;
    let events: SseEvent[];
    try {
      events = (this.parser as SseParser).push(chunk);
    } catch (error: unknown) {
      // An event without end (a broken or hostile upstream) fails the stream instead of filling memory.
      const what = error instanceof SseEventTooLarge ? `an event larger than ${error.limit / 1024 / 1024} MiB` : 'a stream that could not be read';
      return this.fail(malformedError(this.provider, what, error));
    }
    for (const event of events) {
      if (decoder.event(event, parts)) {
        decoder.end(parts);
        this.finish();
        break;
      }
    }
    if (parts.length > before || this.ended) this.wake();
    if (!this.ended && parts.length - this.head >= HIGH_WATER_PARTS) controller.pause();
  }

  onResponseEnd(): void {
    this.completed();
    if (this.refusal) return this.fail(errorFromResponse(this.provider, this.refusal.status, this.refusal.headers, this.refusal.body.text()));
    if (this.ended) return;
    const decoder = this.decoder as StreamDecoder;
    for (const event of (this.parser as SseParser).end()) if (decoder.event(event, this.queue)) break;
    decoder.end(this.queue);
    this.finish();
    this.wake();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.completed();
    this.fail(transportError(this.provider, error, this.signal as CancelSignal));
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
    let call: UpstreamCall;
    let options: Dispatcher.DispatchOptions;
    try {
      call = (this.callOf as () => UpstreamCall)();
      this.callOf = undefined;
      options = dispatchOptions(call);
    } catch (error: unknown) {
      return this.fail(error);
    }
    this.provider = call.provider;
    this.signal = call.signal;
    if (call.signal.aborted) return this.fail(call.signal.reason);
    call.signal.addEventListener('abort', this.onAbort, { once: true });
    try {
      this.transport.dispatcher.dispatch(options, this);
    } catch (error: unknown) {
      this.completed();
      this.fail(transportError(call.provider, error, call.signal));
    }
  }

  /** The answer is over: no abort to forward any more. */
  private completed(): void {
    this.complete = true;
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  /**
   * A failure before the answer (a refusal, no connection, an abort) rejects the next `next()`;
   * one mid-stream is the stream's last part, and an abort is rethrown after what was decoded.
   */
  private fail(failure: unknown): void {
    if (this.ended) return;
    if (failure instanceof ProviderError && this.parser) {
      this.queue.push({ type: 'error', error: failure });
    } else {
      this.failure = failure;
      this.failed = true;
    }
    this.finish();
    this.wake();
  }

  /**
   * No more parts: release the connection. The rest of an answer is usually already parsed
   * (the stream's last event and the answer's end come in one read), so it gets one turn to
   * complete on its own and keep its connection; one still open after it is aborted, which
   * closes its connection.
   */
  private finish(): void {
    this.ended = true;
    if (!this.complete && this.controller) setImmediate(() => this.release());
  }

  private release(): void {
    if (this.complete) return;
    this.completed();
    this.controller?.abort(new Error('the stream was closed'));
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
