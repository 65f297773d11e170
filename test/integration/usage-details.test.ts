import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  KeyUsageDocument,
  ReasoningChatDocument,
  ReasoningChatStreamDocument,
  ViewerUsageDocument,
  type ChatInput,
  type ViewerUsageQuery,
} from '../../schema/generated/graphql.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import type { ScenarioUsage } from '../helpers/scenario.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/**
 * The shared usage counters keep the reasoning and cached parts of each completion's usage:
 * `viewer.usage` and `keyUsage` sum what the upstream reported, whichever replica served the
 * request and whichever transport it came over, in one process and across replicas on Redis.
 */

const USER_KEY = 'sbk_usage-details-user-0123456789ab';
const ADMIN_KEY = 'sbk_usage-details-admin-0123456789a';
const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });

const FIRST: ScenarioUsage = { promptTokens: 1_000, completionTokens: 300, reasoningTokens: 200, cachedPromptTokens: 400 };
const SECOND: ScenarioUsage = { promptTokens: 500, completionTokens: 120, reasoningTokens: 80, cachedPromptTokens: 100 };
/** A provider that reports no details: the counters add 0 for it. */
const PLAIN: ScenarioUsage = { promptTokens: 10, completionTokens: 5 };

type Summary = ViewerUsageQuery['viewer']['usage'];

let mock: WireMock;
let redis: RedisServer;
const running: RunningGateway[] = [];

beforeAll(async () => {
  [mock, redis] = await Promise.all([startWireMock(openaiFormat), startRedisServer()]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});

afterAll(async () => {
  await mock?.close();
  await redis?.stop();
});

async function start(extraYaml: string): Promise<RunningGateway> {
  const gw = await startGateway(`
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: sk-test }]
models:
  - { provider: mock, upstream: reasoner, capabilities: [chat, streaming, reasoning] }
  - { provider: mock, upstream: plain }
auth:
  keys:
    - { id: admin, secret: "${ADMIN_KEY}", scopes: [admin] }
    - { id: user, secret: "${USER_KEY}", scopes: [chat] }
${extraYaml}
`);
  running.push(gw);
  return gw;
}

const DEPLOYMENTS = [
  {
    name: 'one process (memory store)',
    async replicas() {
      const gw = await start('');
      return { a: gw, b: gw };
    },
  },
  {
    name: 'two replicas on one Redis',
    async replicas() {
      const redisYaml = `redis: { url: "${redis.url}", keyPrefix: "usage-details-${randomUUID()}:" }`;
      return { a: await start(redisYaml), b: await start(redisYaml) };
    },
  },
];

const chatInput = (model: string): { input: ChatInput } => ({ input: { model, messages: [{ role: 'USER', content: 'What is 2 + 2?' }], cache: false } });

async function chat(gw: RunningGateway, model: string, usage: ScenarioUsage): Promise<void> {
  mock.script({ kind: 'text', reasoning: { chunks: ['Adding.'] }, chunks: ['Four', '.'], usage });
  const { body } = await postGraphQL(gw.url, ReasoningChatDocument, chatInput(model), bearer(USER_KEY));
  expect(body.errors).toBeUndefined();
  expect(body.data?.chat.usage).toMatchObject({ reasoningTokens: usage.reasoningTokens ?? 0, cachedPromptTokens: usage.cachedPromptTokens ?? 0 });
}

async function chatStream(gw: RunningGateway, model: string, usage: ScenarioUsage): Promise<void> {
  mock.script({ kind: 'text', reasoning: { chunks: ['Adding', ' again.'] }, chunks: ['Four', '.'], usage });
  const finals = [];
  for await (const result of subscribeSse(gw.url, ReasoningChatStreamDocument, chatInput(model), bearer(USER_KEY))) {
    expect(result.errors).toBeUndefined();
    if (result.data?.chatStream.done) finals.push(result.data.chatStream.usage);
  }
  expect(finals).toEqual([expect.objectContaining({ reasoningTokens: usage.reasoningTokens, cachedPromptTokens: usage.cachedPromptTokens })]);
}

async function viewerUsage(gw: RunningGateway): Promise<Summary> {
  const { body } = await postGraphQL(gw.url, ViewerUsageDocument, {}, bearer(USER_KEY));
  expect(body.errors).toBeUndefined();
  return body.data?.viewer.usage as Summary;
}

async function keyUsage(gw: RunningGateway): Promise<Summary> {
  const { body } = await postGraphQL(gw.url, KeyUsageDocument, { keyId: 'user' }, bearer(ADMIN_KEY));
  expect(body.errors).toBeUndefined();
  return body.data?.keyUsage as Summary;
}

describe.each(DEPLOYMENTS)('$name', (deployment) => {
  it('viewer.usage and keyUsage sum the reasoning and cached prompt tokens of chat and chatStream, per model and in total', async () => {
    const { a, b } = await deployment.replicas();
    await chat(a, 'mock/reasoner', FIRST);
    await chatStream(b, 'mock/reasoner', SECOND);
    await chat(b, 'mock/plain', PLAIN);

    const expected: Summary = {
      requests: 3,
      promptTokens: 1_510,
      completionTokens: 425,
      reasoningTokens: 280,
      cachedPromptTokens: 500,
      costUsd: 0,
      byModel: [
        { model: 'mock/plain', requests: 1, reasoningTokens: 0, cachedPromptTokens: 0 },
        { model: 'mock/reasoner', requests: 2, reasoningTokens: 280, cachedPromptTokens: 500 },
      ],
    };
    // The meter writes behind the answer: wait until all three completions are counted.
    await expect.poll(() => viewerUsage(a), { timeout: 5_000, interval: 25 }).toEqual(expected);
    expect(await viewerUsage(b)).toEqual(expected);
    expect(await keyUsage(a)).toEqual(expected);
  });
});
