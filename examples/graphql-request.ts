/**
 * Switchboard from graphql-request: the smallest client, for scripts and
 * server-to-server calls (queries and mutations; no subscriptions).
 *
 * `request(TypedDocumentNode, variables)` types both the variables and the
 * result from the codegen documents in `schema/generated/graphql.ts`. A
 * GraphQL error rejects with graphql-request's `ClientError`; the gateway's
 * machine-readable code is in `error.response.errors[i].extensions.code`
 * (see `switchboardErrorCode`).
 *
 * ```ts
 * const client = createSwitchboardRequestClient({ url: 'http://localhost:4000/graphql', apiKey: 'sb-...' });
 * const models = await listModels(client);
 * try {
 *   await chat(client, 'Say hi', 'nope/unknown');
 * } catch (error) {
 *   if (switchboardErrorCode(error) === 'MODEL_NOT_FOUND') …
 * }
 * ```
 */
import { ClientError, GraphQLClient } from 'graphql-request';
import { ChatDocument, ModelsDocument, type ChatMutation, type ModelsQuery, type ModelsQueryVariables } from '../schema/generated/graphql.js';

export interface SwitchboardRequestOptions {
  /** `http(s)://host:port/graphql` */
  url: string;
  /** An API key or JWT, sent as `Authorization: Bearer …`. */
  apiKey?: string;
}

export function createSwitchboardRequestClient(options: SwitchboardRequestOptions): GraphQLClient {
  return new GraphQLClient(options.url, {
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
  });
}

/** The models this gateway serves (optionally filtered). */
export async function listModels(client: GraphQLClient, variables: ModelsQueryVariables = {}): Promise<ModelsQuery['models']> {
  const data = await client.request(ModelsDocument, variables);
  return data.models;
}

/** One non-streamed completion of a single user prompt. */
export async function chat(client: GraphQLClient, prompt: string, model = 'local/echo'): Promise<ChatMutation['chat']> {
  const data = await client.request(ChatDocument, { input: { model, messages: [{ role: 'USER', content: prompt }] } });
  return data.chat;
}

/** The gateway's `extensions.code` (e.g. `MODEL_NOT_FOUND`) of the first GraphQL error, if `error` is a ClientError. */
export function switchboardErrorCode(error: unknown): string | undefined {
  if (!(error instanceof ClientError)) return undefined;
  const code = error.response.errors?.[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}
