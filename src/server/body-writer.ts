import type { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

/** The body of a streamed response, after its head has gone out. */
export interface BodyWriter {
  /** Sends `text` as one piece of the body; false once the client has fallen behind (wait for `writable`). */
  write(text: string): boolean;
  /** Resolves once the client has taken what was written (drain), or is gone (close). */
  writable(): Promise<void>;
}

/** Resolves on the emitter's next `drain` or `close`. */
export function drained(emitter: EventEmitter): Promise<void> {
  return new Promise<void>((resolve) => {
    const resume = () => {
      emitter.off('drain', resume);
      emitter.off('close', resume);
      resolve();
    };
    emitter.on('drain', resume);
    emitter.on('close', resume);
  });
}

/**
 * A writer for the body of `res`, whose head must already be sent (`flushHeaders`, or a first
 * `write`). For a chunked HTTP/1.1 response each piece goes to the socket framed, in one write:
 * `res.write` would send it as four (size, CRLF, data, CRLF) through a socket corked until the
 * next tick, which is most of what relaying a token costs in JavaScript. The socket is the
 * response's own while `res.socket` is set (a pipelined response waits without one), and Node
 * still ends the body (`res.end` writes the last chunk and the terminator). Anything else (HTTP/1.0,
 * no socket) goes through `res.write`.
 */
export function bodyWriter(res: ServerResponse): BodyWriter {
  const socket = res.socket;
  // `chunkedEncoding`: Node's decision, when it wrote the head, to frame this body in chunks.
  const chunked = (res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding === true;
  if (!chunked || !socket || !res.headersSent || res.writableEnded) {
    return { write: (text) => res.write(text), writable: () => drained(res) };
  }
  return {
    // A socket already ending is left to Node, which buffers or drops what it cannot send.
    write: (text) => (socket.writable ? socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`) : res.write(text)),
    writable: () => drained(socket),
  };
}
