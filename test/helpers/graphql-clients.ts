import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { parseSse } from '../../src/providers/http/parse-sse.js';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown> & { code?: string };
}

export interface HttpResult<TData> {
  status: number;
  headers: Headers;
  body: { data?: TData | null; errors?: GraphQLErrorShape[] };
}

type Document<TData, TVariables> = TypedDocumentNode<TData, TVariables> | string;

function queryText(document: string | DocumentNode): string {
  return typeof document === 'string' ? document : print(document);
}

/** A GraphQL request over HTTP POST with fetch. */
export async function postGraphQL<TData, TVariables>(
  url: string,
  document: Document<TData, TVariables>,
  variables?: TVariables,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpResult<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...init.headers },
    body: JSON.stringify({ query: queryText(document), variables }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as HttpResult<TData>['body'] };
}

/** A subscription over SSE (GraphQL over SSE, "distinct connections" mode): yields each `next` payload. */
export async function* subscribeSse<TData, TVariables>(
  url: string,
  document: Document<TData, TVariables>,
  variables?: TVariables,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): AsyncGenerator<FormattedExecutionResult<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...init.headers },
    body: JSON.stringify({ query: queryText(document), variables }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!response.body) throw new Error(`no SSE body (HTTP ${response.status})`);
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    yield (await response.json()) as FormattedExecutionResult<TData>;
    return;
  }
  for await (const event of parseSse(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (event.event === 'complete') return;
    if (event.event === 'next') yield JSON.parse(event.data) as FormattedExecutionResult<TData>;
  }
}

/** A graphql-ws client on Node (which has no global WebSocket). */
export function createWsClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(connectionParams ? { connectionParams } : {}),
  });
}

/** Every result of one operation over graphql-ws; an error message from the server rejects. */
export async function collectWs<TData, TVariables extends Record<string, unknown>>(
  client: Client,
  document: Document<TData, TVariables>,
  variables?: TVariables,
): Promise<FormattedExecutionResult<TData, unknown>[]> {
  const results: FormattedExecutionResult<TData, unknown>[] = [];
  for await (const result of client.iterate<TData>({ query: queryText(document), ...(variables ? { variables } : {}) })) {
    results.push(result);
  }
  return results;
}
