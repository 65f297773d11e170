import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { WebSocketServer } from 'ws';
import { markRequestErrors, maskGatewayError, withoutHttpExtensions } from '../errors/mask-gateway-error.js';
import type { Authenticator } from '../auth/create-authenticator.js';
import type { Logger } from '../create-logger.js';
import { credentialOf, type GatewayYoga, type InitialContext } from './create-yoga.js';
import { prepareOperation } from './prepare-operation.js';
import { serveGraphQLWs } from './serve-graphql-ws.js';

const CLOSE_HANDSHAKE_MS = 1_000;
/** graphql-ws's close code for missing credentials (bad ones get 4403 Forbidden). */
const CLOSE_UNAUTHORIZED = 4401;

/** An error refusing an operation before it runs, as a websocket client should see it. */
const refusal = (error: unknown): GraphQLError => withoutHttpExtensions(maskGatewayError(error, 'Unexpected error.') as GraphQLError);

type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
};

/** The websocket side of the server, as shutdown needs it. */
export interface GraphQLWsHandle {
  /** Operations running over websockets right now. */
  readonly activeOperations: number;
  /** Closes every socket with 1001 (going away) and stops the server. */
  close(): Promise<void>;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Each operation goes through
 * `yoga.getEnveloped`, so the same plugins (limits, errors, context) run as for HTTP.
 */
export function attachGraphQLWs(
  server: Server,
  yoga: GatewayYoga,
  options: { maxPayloadBytes: number; authenticator: Authenticator; logger: Logger },
): GraphQLWsHandle {
  const { authenticator } = options;
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: options.maxPayloadBytes });
  // ws repeats the HTTP server's errors (a busy port, say) on this server: whoever listens handles
  // them there. Unheard here, the repeat would throw before the listener learns of the error.
  wss.on('error', () => undefined);
  const active = new Map<object, Set<string>>();
  let activeOperations = 0;

  function untrack(context: object, id?: string): void {
    const ids = active.get(context);
    if (!ids) return;
    for (const each of id === undefined ? [...ids] : [id]) if (ids.delete(each)) activeOperations--;
    if (ids.size === 0) active.delete(context);
  }

  serveGraphQLWs(
    {
      // Credentials are checked once at connection_init (and again per operation, for revocations).
      onConnect: async (context) => {
        if (!authenticator.required) return true;
        const credential = credentialOf({ ...(context.connectionParams ? { connectionParams: context.connectionParams } : {}) });
        if (!credential) {
          context.extra.socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: send connectionParams { authorization: "Bearer <key>" }');
          return false;
        }
        try {
          await authenticator.authenticate(credential);
          return true;
        } catch {
          // graphql-ws closes with 4403 Forbidden.
          return false;
        }
      },
      execute: async (args) => markRequestErrors(await (args as EnvelopedArgs).rootValue.execute(args)) as never,
      subscribe: async (args) => markRequestErrors(await (args as EnvelopedArgs).rootValue.subscribe(args)) as never,
      onSubscribe: async (context, id, params) => {
        const initial: InitialContext & Record<string, unknown> & { params: typeof params } = {
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params,
        };
        // Again per operation, for revocations.
        const prepared = await prepareOperation(yoga, authenticator, initial, credentialOf(initial));
        if (!prepared.ok) return prepared.errors.map(refusal);
        const { enveloped, document, contextValue } = prepared;
        let ids = active.get(context);
        if (!ids) active.set(context, (ids = new Set()));
        ids.add(id);
        activeOperations++;
        return {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
      onComplete: (context, id) => untrack(context, id),
      onError: (context, id) => untrack(context, id),
      onClose: (context) => untrack(context),
    },
    wss,
    options.logger.child({ component: 'graphql-ws' }),
  );

  return {
    get activeOperations() {
      return activeOperations;
    },
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      // A client that never answers the close handshake is cut off rather than waited for.
      const deadline = Date.now() + CLOSE_HANDSHAKE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
