import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../create-logger.js';

/** What graphql-ws puts in `context.extra`: the socket and its upgrade request. */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** A close frame carries at most 123 bytes of reason; `ws` throws on more. */
const MAX_CLOSE_REASON_BYTES = 123;

/** The reason cut to what a close frame carries (graphql-ws quotes client-chosen ids in some reasons). */
function closeReason(reason: string | undefined): string | undefined {
  if (reason === undefined || Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_CLOSE_REASON_BYTES - 1);
  while (Buffer.byteLength(`${cut}…`) > MAX_CLOSE_REASON_BYTES) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** graphql-ws's message for a message type only a server may send (`next`, `connection_ack` …). */
const CLIENT_SENT_SERVER_MESSAGE = /^Unexpected message of type/;

/**
 * graphql-ws on a `ws` server, as `graphql-ws/use/ws` does it, with the gateway's logger instead
 * of `console.error`: there, a client controls stack traces on stderr (an over-size frame, a
 * message type only servers send). Such client mistakes close the socket (1009 from `ws`, or
 * 4400) and are logged at debug; anything else is the gateway's own fault: 4500, error level.
 */
export function serveGraphQLWs<P extends Record<string, unknown>>(
  options: ServerOptions<P, WsExtra>,
  wss: WebSocketServer,
  logger: Logger,
  /** Interval of the keep-alive pings (a client that misses one is cut off), in milliseconds. @default 12000 */
  keepAliveMs = 12_000,
): void {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on('connection', (socket, request) => {
    // `ws` reports a frame it refuses (too big, malformed) here and closes the socket itself.
    socket.once('error', (error) => {
      logger.debug({ err: error.message }, 'graphql-ws: refused a frame from the client');
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.BadRequest, 'Bad request');
    });
    let pongTimer: NodeJS.Timeout | undefined;
    const pingTimer = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongTimer = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => clearTimeout(pongTimer));
      socket.ping();
    }, keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, closeReason(reason)),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error: unknown) {
              const message = error instanceof Error ? error.message : String(error);
              if (CLIENT_SENT_SERVER_MESSAGE.test(message)) {
                logger.debug({ err: message }, 'graphql-ws: unexpected message from the client');
                socket.close(CloseCode.BadRequest, 'Invalid message received');
              } else {
                logger.error({ err: error }, 'graphql-ws: message handling failed');
                socket.close(CloseCode.InternalServerError, 'Internal server error');
              }
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      void closed(code, String(reason));
    });
  });
}
