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
  // A read is decoded up to its last line feed, which never falls inside a UTF-8 character (unlike
  // a read's end), so no streaming decoder is needed: the bytes after it wait for the next read,
  // as a list (joined once, when a line feed comes, not copied again on every read).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let buffer = '';
  let event = '';
  let data = '';
  let hasData = false;

  /** Parses the whole lines of `buffer` into `out`, and keeps the unfinished rest. */
  function lines(out: SseEvent[]): SseEvent[] {
    let position = 0;
    let newline: number;
    while ((newline = buffer.indexOf('\n', position)) !== -1) {
      const end = newline > position && buffer.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      const lineStart = position;
      position = newline + 1;
      if (end === lineStart) {
        if (hasData) out.push({ event: event || 'message', data });
        event = '';
        data = '';
        hasData = false;
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
        data = hasData ? `${data}\n${value}` : value;
        hasData = true;
      } else if (field === 'event') {
        event = value;
      }
    }
    buffer = position === buffer.length ? '' : buffer.slice(position);
    return out;
  }

  /** The pending bytes, then `more`, as text; nothing is pending after. */
  function takePending(more?: Buffer): string {
    const text = Buffer.concat(more ? [...pending, more] : pending).toString('utf8');
    pending = [];
    pendingBytes = 0;
    return text;
  }

  /** `out`, once what is held for the unfinished event is within the bound (characters count as bytes: a lower bound). */
  function bounded(out: SseEvent[]): SseEvent[] {
    if (pendingBytes + buffer.length + data.length > maxEventBytes) throw new SseEventTooLarge(maxEventBytes);
    return out;
  }

  return {
    push(chunk) {
      if (typeof chunk === 'string') {
        buffer += chunk;
        return bounded(lines([]));
      }
      const bytes = bytesOf(chunk);
      const lastLineEnd = bytes.lastIndexOf(LF);
      if (lastLineEnd === -1) {
        // Copied: the reader may reuse its buffer.
        pending.push(Buffer.from(bytes));
        pendingBytes += bytes.length;
        return bounded([]);
      }
      buffer += pending.length > 0 ? takePending(bytes.subarray(0, lastLineEnd + 1)) : bytes.toString('utf8', 0, lastLineEnd + 1);
      if (lastLineEnd + 1 < bytes.length) {
        pending.push(Buffer.from(bytes.subarray(lastLineEnd + 1)));
        pendingBytes = bytes.length - lastLineEnd - 1;
      }
      return bounded(lines([]));
    },
    end() {
      const out: SseEvent[] = [];
      if (pending.length > 0) buffer += takePending();
      // Lenient about a stream whose last line has no line ending.
      if (buffer !== '') {
        buffer += '\n';
        lines(out);
      }
      // Lenient about a last event that is not followed by a blank line.
      if (hasData) out.push({ event: event || 'message', data });
      hasData = false;
      data = '';
      event = '';
      return out;
    },
  };
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
