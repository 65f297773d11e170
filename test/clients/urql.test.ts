import { CombinedError } from '@urql/core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, createSwitchboardUrqlClient, listModels, streamChat } from '../../examples/urql.js';
import type { RunningGateway } from '../helpers/start-gateway.js';
import { startFastGateway } from './fast-gateway.js';

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startFastGateway();
});

afterAll(async () => {
  await gw.stop();
});

describe.each([
  { transport: 'ws' as const },
  { transport: 'sse' as const },
])('urql (@urql/core) with subscriptions over $transport', ({ transport }) => {
  const client = () => createSwitchboardUrqlClient({ url: gw.url, wsUrl: gw.wsUrl, transport, webSocketImpl: WebSocket });

  it('queries the models over HTTP', async () => {
    const models = await listModels(client());
    expect(models.map((model) => model.id)).toEqual(expect.arrayContaining(['local/echo', 'local/lorem']));
    expect(models.find((model) => model.id === 'local/echo')?.health.state).toBe('CLOSED');
  });

  it('runs the chat mutation over HTTP', async () => {
    const answer = await chat(client(), `hello over ${transport}`);
    expect(answer.message.content).toBe(`hello over ${transport}`);
    expect(answer.finishReason).toBe('STOP');
  });

  it('streams the chat subscription: deltas join to the full text, the final event is done', async () => {
    const prompt = `streamed over ${transport} in several words`;
    const deltas: string[] = [];
    const { text, final } = await streamChat(client(), prompt, (delta) => deltas.push(delta));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(prompt);
    expect(text).toBe(prompt);
    expect(final.done).toBe(true);
    expect(final.finishReason).toBe('STOP');
    expect(final.model).toBe('local/echo');
  });

  it('streams the 64 default lorem tokens and stops on done', async () => {
    const { text, final } = await streamChat(client(), 'ignored', () => undefined, 'local/lorem');
    expect(text.split(' ')).toHaveLength(64);
    expect(final.done).toBe(true);
  });

  it('reports a gateway error with its code', async () => {
    const error = await streamChat(client(), 'hi', () => undefined, 'nope/unknown').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CombinedError);
    if (!(error instanceof CombinedError)) return;
    expect(error.graphQLErrors[0]?.extensions['code']).toBe('MODEL_NOT_FOUND');
  });

  it('reports a mutation error with its code', async () => {
    const error = await chat(client(), 'hi', 'nope/unknown').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CombinedError);
    if (!(error instanceof CombinedError)) return;
    expect(error.graphQLErrors[0]?.extensions['code']).toBe('MODEL_NOT_FOUND');
  });
});
