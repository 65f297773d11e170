/**
 * Switchboard from urql (`@urql/core`, the framework-free client under
 * `urql`, `@urql/vue`, `@urql/svelte`…).
 *
 * Queries and mutations go over HTTP (`fetchExchange`). Subscriptions go
 * through `subscriptionExchange`, with either transport the gateway speaks:
 *
 * - `transport: 'ws'`: the graphql-ws protocol on `/graphql` (`graphql-ws`'s `createClient`);
 * - `transport: 'sse'`: GraphQL over Server-Sent Events, "distinct connections" mode
 *   (`graphql-sse`'s `createClient`): each subscription is one
 *   `POST /graphql` with `accept: text/event-stream`, answered by `next` events and
 *   one `complete` event. Handy where WebSockets are blocked by a proxy.
 *
 * ```ts
 * const client = createSwitchboardUrqlClient({ url: 'http://localhost:4000/graphql', transport: 'sse' });
 * const models = await listModels(client);
 * const { text } = await streamChat(client, 'Tell me a story', (delta) => process.stdout.write(delta));
 * ```
 */
import { cacheExchange, Client, fetchExchange, subscriptionExchange, type SubscriptionForwarder } from '@urql/core';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import {
  ChatDocument,
  ChatStreamDocument,
  ModelsDocument,
  type ChatMutation,
  type ChatStreamSubscription,
  type ModelsQuery,
  type ModelsQueryVariables,
} from '../schema/generated/graphql.js';

export interface SwitchboardUrqlOptions {
  /** `http(s)://host:port/graphql` */
  url: string;
  /** How subscriptions travel (default `ws`). */
  transport?: 'ws' | 'sse';
  /** For `ws`: `ws(s)://host:port/graphql` (default: `url` with http → ws). */
  wsUrl?: string;
  /** An API key or JWT, sent as `Authorization: Bearer …` (connectionParams over WebSocket). */
  apiKey?: string;
  /** A WebSocket constructor where there is no global one (Node: `import WebSocket from 'ws'`). */
  webSocketImpl?: unknown;
}

function wsForwarder(options: SwitchboardUrqlOptions, authorization: string | undefined): SubscriptionForwarder {
  const ws = createWsClient({
    url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
    connectionParams: authorization ? { authorization } : {},
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
  });
  return (request) => ({
    subscribe(sink) {
      const unsubscribe = ws.subscribe({ ...request, query: request.query ?? '' }, sink);
      return { unsubscribe };
    },
  });
}

function sseForwarder(options: SwitchboardUrqlOptions, authorization: string | undefined): SubscriptionForwarder {
  const sse = createSseClient({
    url: options.url,
    // false (the default) = "distinct connections" mode: one text/event-stream request per subscription.
    singleConnection: false,
    headers: authorization ? { authorization } : {},
    retryAttempts: 0,
  });
  return (request) => ({
    subscribe(sink) {
      const unsubscribe = sse.subscribe({ ...request, query: request.query ?? '' }, sink);
      return { unsubscribe };
    },
  });
}

/** A urql Client for the gateway; subscriptions over graphql-ws or SSE. */
export function createSwitchboardUrqlClient(options: SwitchboardUrqlOptions): Client {
  const authorization = options.apiKey ? `Bearer ${options.apiKey}` : undefined;
  const forwardSubscription = options.transport === 'sse' ? sseForwarder(options, authorization) : wsForwarder(options, authorization);
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return new Client({
    url: options.url,
    exchanges: [cacheExchange, fetchExchange, subscriptionExchange({ forwardSubscription })],
    fetchOptions: { headers },
    // Model health changes: no stale catalog.
    requestPolicy: 'network-only',
  });
}

/** The models this gateway serves (optionally filtered). */
export async function listModels(client: Client, variables: ModelsQueryVariables = {}): Promise<ModelsQuery['models']> {
  const result = await client.query(ModelsDocument, variables).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('models: no data');
  return result.data.models;
}

/** One non-streamed completion of a single user prompt. */
export async function chat(client: Client, prompt: string, model = 'local/echo'): Promise<ChatMutation['chat']> {
  const result = await client.mutation(ChatDocument, { input: { model, messages: [{ role: 'USER', content: prompt }] } }).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('chat: no data');
  return result.data.chat;
}

export type ChatStreamEvent = ChatStreamSubscription['chatStream'];

/**
 * A streamed completion: `onDelta` gets each piece of text as it arrives;
 * resolves with the whole text and the final (`done: true`) event.
 */
export function streamChat(
  client: Client,
  prompt: string,
  onDelta: (delta: string, event: ChatStreamEvent) => void,
  model = 'local/echo',
): Promise<{ text: string; final: ChatStreamEvent }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const subscription = client
      .subscription(ChatStreamDocument, { input: { model, messages: [{ role: 'USER', content: prompt }] } })
      .subscribe((result) => {
        if (result.error) {
          subscription.unsubscribe();
          reject(result.error);
          return;
        }
        const event = result.data?.chatStream;
        if (!event) return;
        if (event.delta) {
          text += event.delta;
          onDelta(event.delta, event);
        }
        // The done event is the last one the gateway sends.
        if (event.done) {
          subscription.unsubscribe();
          resolve({ text, final: event });
        }
      });
  });
}
