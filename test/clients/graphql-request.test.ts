import { ClientError } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, createSwitchboardRequestClient, listModels, switchboardErrorCode } from '../../examples/graphql-request.js';
import type { RunningGateway } from '../helpers/start-gateway.js';
import { startFastGateway } from './fast-gateway.js';

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startFastGateway();
});

afterAll(async () => {
  await gw.stop();
});

describe('graphql-request', () => {
  it('queries the models', async () => {
    const models = await listModels(createSwitchboardRequestClient({ url: gw.url }));
    expect(models.map((model) => model.id)).toEqual(expect.arrayContaining(['local/echo', 'local/lorem']));
    const echo = models.find((model) => model.id === 'local/echo');
    expect(echo?.upstream).toBe('echo');
    expect(echo?.health.errorRate).toBe(0);
  });

  it('runs the chat mutation', async () => {
    const answer = await chat(createSwitchboardRequestClient({ url: gw.url }), 'hello from graphql-request');
    expect(answer.message.content).toBe('hello from graphql-request');
    expect(answer.usage.totalTokens).toBe(answer.usage.promptTokens + answer.usage.completionTokens);
    expect(answer.cached).toBe(false);
  });

  it('surfaces a GraphQL error as a ClientError carrying extensions.code', async () => {
    const error = await chat(createSwitchboardRequestClient({ url: gw.url }), 'hi', 'nope/unknown').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ClientError);
    expect(switchboardErrorCode(error)).toBe('MODEL_NOT_FOUND');
    if (!(error instanceof ClientError)) return;
    expect(error.response.errors?.[0]?.message).toMatch(/nope\/unknown/);
    expect(error.response.errors?.[0]?.path).toEqual(['chat']);
  });
});
