/** One server-sent event. `event` is "message" when the stream names none. */
export interface SseEvent {
  event: string;
  data: string;
}

const COLON = 58;
const SPACE = 32;

/**
 * Parses a `text/event-stream` body into events, per the WHATWG rules that
 * providers rely on: `data:` lines join with "\n", a blank line dispatches,
 * `:` lines are comments, CRLF and LF both end a line (Gemini uses CRLF).
 * Works on raw chunks so no line or event is split across network reads.
 */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data = '';
  let hasData = false;

  const iterator = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        // Lenient about a stream whose last line has no line ending.
        if (buffer === '') break;
        buffer += '\n';
      } else {
        buffer += typeof next.value === 'string' ? next.value : decoder.decode(next.value, { stream: true });
      }
      let position = 0;
      let newline: number;
      while ((newline = buffer.indexOf('\n', position)) !== -1) {
        const end = newline > position && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        const lineStart = position;
        position = newline + 1;
        if (end === lineStart) {
          if (hasData) yield { event: event || 'message', data };
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
      if (next.done) break;
    }
  } finally {
    // Leaving early (cancel, fallback) must release the source too.
    await iterator.return?.();
  }
  // Lenient about a last event that is not followed by a blank line.
  if (hasData) yield { event: event || 'message', data };
}
