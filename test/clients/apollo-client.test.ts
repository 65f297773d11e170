import { CombinedGraphQLErrors } from '@apollo/client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, createSwitchboardApolloClient, listModels, streamChat } from '../../examples/apollo-client.js';
import type { RunningGateway } from '../helpers/start-gateway.js';
import { startFastGateway } from './fast-gateway.js';

let gw: RunningGateway;
let client: ReturnType<typeof createSwitchboardApolloClient>;

beforeAll(async () => {
  gw = await startFastGateway();
  client = createSwitchboardApolloClient({ httpUrl: gw.url, wsUrl: gw.wsUrl, webSocketImpl: WebSocket });
});

afterAll(async () => {
  client.stop();
  await gw.stop();
});

describe('Apollo Client 4 (HttpLink + GraphQLWsLink)', () => {
  it('queries the models over HTTP', async () => {
    const models = await listModels(client);
    const ids = models.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['local/echo', 'local/lorem']));
    const echo = models.find((model) => model.id === 'local/echo');
    expect(echo?.provider).toBe('local');
    expect(echo?.capabilities).toContain('CHAT');
    expect(echo?.health.state).toBe('CLOSED');
  });

  it('filters with typed variables', async () => {
    const models = await listModels(client, { provider: 'local', capability: 'STREAMING' });
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) expect(model.capabilities).toContain('STREAMING');
  });

  it('runs the chat mutation over HTTP', async () => {
    const answer = await chat(client, 'hello from apollo');
    expect(answer.message.content).toBe('hello from apollo');
    expect(answer.message.role).toBe('ASSISTANT');
    expect(answer.finishReason).toBe('STOP');
    expect(answer.model).toBe('local/echo');
    expect(answer.usage.completionTokens).toBe(3);
    expect(answer.attempts[0]?.outcome).toBe('SUCCESS');
  });

  it('streams the chat subscription over graphql-ws: deltas join to the full text, the final event is done', async () => {
    const prompt = 'one two three four five six';
    const deltas: string[] = [];
    const { text, final } = await streamChat(client, prompt, (delta) => deltas.push(delta));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(prompt);
    expect(text).toBe(prompt);
    expect(final.done).toBe(true);
    expect(final.finishReason).toBe('STOP');
    expect(final.usage?.completionTokens).toBe(6);
  });

  it('surfaces a GraphQL error as CombinedGraphQLErrors carrying extensions.code', async () => {
    const error = await chat(client, 'hi', 'nope/unknown').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    if (!CombinedGraphQLErrors.is(error)) return;
    expect(error.errors[0]?.extensions?.['code']).toBe('MODEL_NOT_FOUND');
    expect(error.errors[0]?.path).toEqual(['chat']);
  });

  it('rejects a subscription error with the gateway code', async () => {
    const error = await streamChat(client, 'hi', () => undefined, 'nope/unknown').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    if (!CombinedGraphQLErrors.is(error)) return;
    expect(error.errors[0]?.extensions?.['code']).toBe('MODEL_NOT_FOUND');
  });
});
