import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatStreamDocument, type ChatStreamSubscription } from '../../schema/generated/graphql.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * The documented policy for a key revoked while one of its streams runs: the
 * stream that was admitted finishes (its answer is already being paid for, and it
 * is bounded by the route's totalMs), and everything new with that key is refused
 * at once, including a new subscription on the websocket the stream runs on.
 */

const ADMIN = 'sbk_revoke-admin-0123456789abcdefgh';
const USER = 'sbk_revoke-user-0123456789abcdefghi';
const usage = { promptTokens: 3, completionTokens: 2 };
const streamInput = { input: { model: 'mock/gpt', messages: [{ role: 'USER' as const, content: 'tell me' }] } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let mock: WireMock;
let gw: RunningGateway;

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
  gw = await startGateway(`
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: test-key }]
models: [{ provider: mock, upstream: gpt }]
auth:
  keys:
    - { id: admin, secret: "${ADMIN}", scopes: [admin, models, chat] }
    - { id: user, secret: "${USER}", scopes: [chat, models] }
`);
});

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

describe('a key revoked while its stream runs', () => {
  it('lets the running stream finish and refuses everything new with that key', async () => {
    // The upstream answers only after the revocation below.
    mock.script({ kind: 'text', chunks: ['still', ' here'], usage, delays: { beforeFirstChunkMs: 400 } });
    // Not lazy: the connection stays open between operations, so the second one runs on the same socket.
    const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${USER}` } });
    try {
      const before = mock.requests.length;
      const events: ChatStreamSubscription['chatStream'][] = [];
      const running = (async () => {
        for await (const result of client.iterate<ChatStreamSubscription>({ query: print(ChatStreamDocument), variables: streamInput })) {
          expect(result.errors).toBeUndefined();
          if (result.data) events.push(result.data.chatStream);
        }
      })();
      while (mock.requests.length === before) await sleep(10);

      const revoked = await postGraphQL(gw.url, 'mutation { revokeApiKey(id: "user") { id } }', undefined, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(revoked.body.errors).toBeUndefined();
      expect(events).toEqual([]);

      await running;
      expect(events.map((event) => event.delta ?? '').join('')).toBe('still here');
      expect(events.at(-1)).toMatchObject({ done: true, finishReason: 'STOP' });

      // New work with the key is refused: over HTTP, and on the same websocket.
      const http = await postGraphQL(gw.url, '{ viewer { keyId } }', undefined, { headers: { authorization: `Bearer ${USER}` } });
      expect(http.status).toBe(401);
      const again = await (async () => {
        try {
          for await (const result of client.iterate({ query: print(ChatStreamDocument), variables: streamInput })) return result.errors?.[0]?.extensions?.code;
        } catch (error: unknown) {
          return Array.isArray(error) ? (error[0] as { extensions?: { code?: string } }).extensions?.code : `thrown: ${String(error)}`;
        }
        return undefined;
      })();
      expect(again).toBe('UNAUTHENTICATED');
    } finally {
      await client.dispose();
    }
  });
});
