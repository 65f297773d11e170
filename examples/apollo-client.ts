/**
 * Switchboard from Apollo Client 4.
 *
 * Queries and mutations go over HTTP (`HttpLink`); subscriptions go over the
 * graphql-ws protocol on the same `/graphql` path (`GraphQLWsLink`). The
 * documents are the codegen-typed ones from `schema/generated/graphql.ts`
 * (`npm run codegen`), so `data` is typed without casts.
 *
 * ```ts
 * const client = createSwitchboardApolloClient({
 *   httpUrl: 'http://localhost:4000/graphql',
 *   wsUrl: 'ws://localhost:4000/graphql',
 *   apiKey: 'sb-...', // when the gateway requires keys
 * });
 * const models = await listModels(client);
 * const answer = await chat(client, 'Say hi');
 * const { text } = await streamChat(client, 'Tell me a story', (delta) => process.stdout.write(delta));
 * ```
 *
 * In a browser, leave out `webSocketImpl` (the global `WebSocket` is used); on
 * Node 20 pass `WebSocket` from the `ws` package.
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient, type Client, type Sink, type SubscribePayload } from 'graphql-ws';
import {
  ChatDocument,
  ChatStreamDocument,
  ModelsDocument,
  type ChatMutation,
  type ChatStreamSubscription,
  type ModelsQuery,
  type ModelsQueryVariables,
} from '../schema/generated/graphql.js';

export interface SwitchboardApolloOptions {
  /** `http(s)://host:port/graphql` */
  httpUrl: string;
  /** `ws(s)://host:port/graphql` */
  wsUrl: string;
  /** An API key or JWT; sent as `Authorization: Bearer …` (HTTP) and in connectionParams (WebSocket). */
  apiKey?: string;
  /** A WebSocket constructor where there is no global one (Node: `import WebSocket from 'ws'`). */
  webSocketImpl?: unknown;
}

/**
 * GraphQLWsLink turns a graphql-ws `error` message (the gateway's answer when a
 * subscription fails before it starts, e.g. MODEL_NOT_FOUND) into
 * CombinedGraphQLErrors, but on the way it reads the global `WebSocket.CLOSED`,
 * which throws "ReferenceError: WebSocket is not defined" on Node 20
 * (apollographql/apollo-client#11761). Handing it those errors already wrapped
 * (an `Error` is passed through as is) works everywhere; in a browser or on
 * Node >= 22 this wrapper changes nothing.
 */
function withErrorsAsErrors(client: Client): Client {
  return {
    ...client,
    subscribe: <Data, Extensions>(payload: SubscribePayload, sink: Sink<FormattedExecutionResult<Data, Extensions>>) =>
      client.subscribe<Data, Extensions>(payload, {
        next: (value) => sink.next(value),
        complete: () => sink.complete(),
        error: (error: unknown) =>
          sink.error(Array.isArray(error) ? new CombinedGraphQLErrors({ errors: error as GraphQLFormattedError[] }) : error),
      }),
  };
}

/** An ApolloClient whose subscriptions go over graphql-ws and everything else over HTTP. */
export function createSwitchboardApolloClient(options: SwitchboardApolloOptions): ApolloClient {
  const authorization = options.apiKey ? `Bearer ${options.apiKey}` : undefined;

  const httpLink = new HttpLink({
    uri: options.httpUrl,
    headers: authorization ? { authorization } : {},
  });

  const wsLink = new GraphQLWsLink(
    withErrorsAsErrors(
      createClient({
        url: options.wsUrl,
        // The gateway reads the credential from connectionParams.authorization.
        connectionParams: authorization ? { authorization } : {},
        ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
        // lazy (the default): the socket opens with the first subscription and closes after the last one.
      }),
    ),
  );

  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    wsLink,
    httpLink,
  );

  return new ApolloClient({ link, cache: new InMemoryCache() });
}

/** The models this gateway serves (optionally filtered), with health and pricing. */
export async function listModels(client: ApolloClient, variables: ModelsQueryVariables = {}): Promise<ModelsQuery['models']> {
  // network-only: health changes, so always ask the gateway.
  const { data } = await client.query({ query: ModelsDocument, variables, fetchPolicy: 'network-only' });
  if (!data) throw new Error('models: no data');
  return data.models;
}

/** One non-streamed completion of a single user prompt. */
export async function chat(client: ApolloClient, prompt: string, model = 'local/echo'): Promise<ChatMutation['chat']> {
  const { data } = await client.mutate({
    mutation: ChatDocument,
    variables: { input: { model, messages: [{ role: 'USER', content: prompt }] } },
  });
  if (!data) throw new Error('chat: no data');
  return data.chat;
}

export type ChatStreamEvent = ChatStreamSubscription['chatStream'];

/**
 * A streamed completion over graphql-ws: `onDelta` gets each piece of text as
 * it arrives; resolves with the whole text and the final (`done: true`) event.
 */
export function streamChat(
  client: ApolloClient,
  prompt: string,
  onDelta: (delta: string, event: ChatStreamEvent) => void,
  model = 'local/echo',
): Promise<{ text: string; final: ChatStreamEvent }> {
  return new Promise((resolve, reject) => {
    let text = '';
    let final: ChatStreamEvent | undefined;
    const subscription = client
      .subscribe({
        query: ChatStreamDocument,
        variables: { input: { model, messages: [{ role: 'USER', content: prompt }] } },
        // Stream events are transient: keep them out of the normalized cache.
        fetchPolicy: 'no-cache',
      })
      .subscribe({
        next: ({ data, error }) => {
          if (error) {
            subscription.unsubscribe();
            reject(error);
            return;
          }
          if (!data) return;
          const event = data.chatStream;
          if (event.delta) {
            text += event.delta;
            onDelta(event.delta, event);
          }
          if (event.done) final = event;
        },
        error: reject,
        complete: () => (final ? resolve({ text, final }) : reject(new Error('chatStream ended without a done event'))),
      });
  });
}
