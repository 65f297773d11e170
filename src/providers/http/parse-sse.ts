/** One server-sent event. `event` is "message" when the stream names none. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * A push parser for a `text/event-stream` body: fed each network read in turn,
 * it returns the events that read completed, synchronously. Per the WHATWG rules
 * that providers rely on: `data:` lines join with "\n", a blank line dispatches,
 * `:` lines are comments, CRLF and LF both end a line (Gemini uses CRLF). A line
 * or event split across reads is held until the read that completes it.
 */
export interface SseParser {
  /** The events completed by this read (often none, often several). */
  push(chunk: Uint8Array | string): SseEvent[];
  /** The body ended: a last line without a line ending, or a last event without a blank line, still counts. */
  end(): SseEvent[];
}

const COLON = 58;
const SPACE = 32;
const CR = 13;
const LF = 10;

/**
 * The most an unfinished event may hold (its data so far and its unfinished line), in bytes:
 * past it a stream is refused rather than buffered without end. Far above any real event
 * (a streamed image is a few MiB).
 */
export const MAX_SSE_EVENT_BYTES = 32 * 1024 * 1024;

/** An upstream event (or line) grew past the parser's bound. */
export class SseEventTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`an event larger than ${limit} bytes`);
    this.name = 'SseEventTooLarge';
  }
}

function bytesOf(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * A fresh parser for one stream (it holds that stream's partial line and event). `push` throws
 * `SseEventTooLarge` once what it holds for one event passes `maxEventBytes`.
 */
export function createSseParser(maxEventBytes = MAX_SSE_EVENT_BYTES): SseParser {
  return new PushSseParser(maxEventBytes);
}

/** A class, so an open stream holds one object here (its fields), not five closures and their context. */
class PushSseParser implements SseParser {
  // A read is decoded up to its last line feed, which never falls inside a UTF-8 character (unlike
  // a read's end), so no streaming decoder is needed: the bytes after it wait for the next read,
  // as a list (joined once, when a line feed comes, not copied again on every read).
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private buffer = '';
  private event = '';
  private data = '';
  private hasData = false;

  constructor(private readonly maxEventBytes: number) {}

  push(chunk: Uint8Array | string): SseEvent[] {
    if (typeof chunk === 'string') {
      this.buffer += chunk;
      return this.bounded(this.lines([]));
    }
    const bytes = bytesOf(chunk);
    const lastLineEnd = bytes.lastIndexOf(LF);
    if (lastLineEnd === -1) {
      // Copied: the reader may reuse its buffer.
      this.pending.push(Buffer.from(bytes));
      this.pendingBytes += bytes.length;
      return this.bounded([]);
    }
    this.buffer += this.pending.length > 0 ? this.takePending(bytes.subarray(0, lastLineEnd + 1)) : bytes.toString('utf8', 0, lastLineEnd + 1);
    if (lastLineEnd + 1 < bytes.length) {
      this.pending.push(Buffer.from(bytes.subarray(lastLineEnd + 1)));
      this.pendingBytes = bytes.length - lastLineEnd - 1;
    }
    return this.bounded(this.lines([]));
  }

  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.pending.length > 0) this.buffer += this.takePending();
    // Lenient about a stream whose last line has no line ending.
    if (this.buffer !== '') {
      this.buffer += '\n';
      this.lines(out);
    }
    // Lenient about a last event that is not followed by a blank line.
    if (this.hasData) out.push({ event: this.event || 'message', data: this.data });
    this.hasData = false;
    this.data = '';
    this.event = '';
    return out;
  }

  /** Parses the whole lines of the buffer into `out`, and keeps the unfinished rest. */
  private lines(out: SseEvent[]): SseEvent[] {
    const buffer = this.buffer;
    let position = 0;
    let newline: number;
    while ((newline = buffer.indexOf('\n', position)) !== -1) {
      const end = newline > position && buffer.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      const lineStart = position;
      position = newline + 1;
      if (end === lineStart) {
        if (this.hasData) out.push({ event: this.event || 'message', data: this.data });
        this.event = '';
        this.data = '';
        this.hasData = false;
        continue;
      }
      if (buffer.charCodeAt(lineStart) === COLON) continue;
      const colon = buffer.indexOf(':', lineStart);
      const fieldEnd = colon === -1 || colon > end ? end : colon;
      const field = buffer.slice(lineStart, fieldEnd);
      let valueStart = fieldEnd === end ? end : fieldEnd + 1;
      if (valueStart < end && buffer.charCodeAt(valueStart) === SPACE) valueStart++;
      const value = buffer.slice(valueStart, end);
      if (field === 'data') {
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
      } else if (field === 'event') {
        this.event = value;
      }
    }
    this.buffer = position === buffer.length ? '' : buffer.slice(position);
    return out;
  }

  /** The pending bytes, then `more`, as text; nothing is pending after. */
  private takePending(more?: Buffer): string {
    const text = Buffer.concat(more ? [...this.pending, more] : this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    return text;
  }

  /** `out`, once what is held for the unfinished event is within the bound (characters count as bytes: a lower bound). */
  private bounded(out: SseEvent[]): SseEvent[] {
    if (this.pendingBytes + this.buffer.length + this.data.length > this.maxEventBytes) throw new SseEventTooLarge(this.maxEventBytes);
    return out;
  }
}

/** The push parser over a whole body, as an async iterable of events (for callers that pull events one by one). */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const parser = createSseParser();
  const iterator = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      yield* parser.push(next.value);
    }
  } finally {
    // Leaving early (cancel, fallback) must release the source too.
    await iterator.return?.();
  }
  yield* parser.end();
}
