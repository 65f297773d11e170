import { randomUUID } from 'node:crypto';
import { print, type FormattedExecutionResult } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput, type ChatStreamSubscription } from '../../schema/generated/graphql.js';
import { estimatePromptTokens } from '../../src/services/compute-usage.js';
import { countPromptTokens } from '../../src/services/estimate-tokens.js';
import { collectWs, createWsClient, postGraphQL, subscribeSse, type GraphQLErrorShape, type HttpResult } from '../helpers/graphql-clients.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * Two gateway replicas (A and B) on one real Redis, in front of one mock
 * OpenAI-compatible upstream: limits, budgets, usage and revocations must be
 * shared exactly, whichever replica a request lands on.
 */

const MODEL = 'mock/gpt';
/** USD per million tokens: 1000 micro-USD a token, so budgets are small, exact numbers. */
const PRICE = 1_000;
const ADMIN_KEY = 'sbk_replicas-admin-0123456789abcdef';
const USER_KEY = 'sbk_replicas-user-0123456789abcdefg';
const PROMPT = 'How many tokens is this?';
const MESSAGES = [{ role: 'USER' as const, content: PROMPT }];
/** The same messages as the gateway sees them, for its own token counts. */
const GATEWAY_MESSAGES = [{ role: 'user' as const, content: PROMPT }];

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });
const chatInput = (extra: Partial<ChatInput> = {}): { input: ChatInput } => ({ input: { model: MODEL, messages: MESSAGES, ...extra } });

type StreamEvent = ChatStreamSubscription['chatStream'];
type Chat = HttpResult<{ chat: { usage: { promptTokens: number; completionTokens: number; costUsd: number | null } } }>;

const USAGE_QUERY = '{ viewer { usage { requests promptTokens completionTokens } } }';
const KEY_USAGE_QUERY = 'query ($keyId: ID!) { keyUsage(keyId: $keyId) { requests promptTokens completionTokens } }';
interface Totals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

let redis: RedisServer;
let cluster: RedisCluster;
let mock: WireMock;
const running: RunningGateway[] = [];
/** The shared state the replicas use: set per deployment by the describe.each below. */
let redisBlock = () => `{ url: "${redis.url}" }`;

beforeAll(async () => {
  [redis, cluster, mock] = await Promise.all([startRedisServer(), startRedisCluster(), startWireMock(openaiFormat)]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});

afterAll(async () => {
  await mock?.close();
  await redis?.stop();
  await cluster?.stop();
});

/**
 * Starts replicas A and B on the shared Redis under a prefix of their own, with
 * the admin key and `userLimits` (YAML flow mapping) on the user key.
 */
async function replicas(userLimits: string): Promise<{ a: RunningGateway; b: RunningGateway }> {
  const keyPrefix = `replicas-${randomUUID()}:`;
  const yaml = `
server: { shutdownGraceMs: 0 }
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: test-key }]
models: [{ provider: mock, upstream: gpt, pricing: { input: ${PRICE}, output: ${PRICE} } }]
redis: ${redisBlock().slice(0, -1)}, keyPrefix: "${keyPrefix}" }
auth:
  keys:
    - { id: admin, secret: "${ADMIN_KEY}", scopes: [admin, models, chat] }
    - { id: user, secret: "${USER_KEY}", scopes: [chat, models], limits: ${userLimits} }
`;
  const [a, b] = await Promise.all([startGateway(yaml), startGateway(yaml)]);
  running.push(a, b);
  return { a, b };
}

const codeOf = (errors: readonly GraphQLErrorShape[] | undefined) => errors?.[0]?.extensions?.code;

/** One graphql-ws subscription to the end: its events, and the error code it ended with (errors result or error message). */
async function wsStream(client: Client, input: ChatInput): Promise<{ events: StreamEvent[]; code: string | undefined }> {
  const events: StreamEvent[] = [];
  try {
    for await (const result of client.iterate<ChatStreamSubscription>({ query: print(ChatStreamDocument), variables: { input } })) {
      if (result.errors?.length) return { events, code: codeOf(result.errors as GraphQLErrorShape[]) as string | undefined };
      if (result.data) events.push(result.data.chatStream);
    }
  } catch (error: unknown) {
    // graphql-ws rejects with the server's `error` message payload: an array of GraphQL errors.
    const code = Array.isArray(error) ? codeOf(error as GraphQLErrorShape[]) : undefined;
    return { events, code: (code as string | undefined) ?? `thrown: ${String(error)}` };
  }
  return { events, code: undefined };
}

/**
 * GCRA refills one request every `60 s / requestsPerMinute` after the first
 * take: a burst that ran for `spanMs` may see that many more admitted. A
 * warmed-up burst on an idle machine takes well under one interval, so this is
 * 0 and the count is asserted exactly.
 */
function refilledDuring(spanMs: number, requestsPerMinute: number): number {
  return Math.floor(spanMs / (60_000 / requestsPerMinute));
}

/** Runs `count` calls at once; resolves with their results and how long the whole burst took. */
async function burst<T>(count: number, call: (index: number) => Promise<T>): Promise<{ results: T[]; spanMs: number }> {
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, index) => call(index)));
  return { results, spanMs: performance.now() - start };
}

/** Warms both replicas (JIT, keep-alive pools, key cache) so a measured burst is not slowed by first-time work. */
async function warmUp(gateways: RunningGateway[], secret: string): Promise<void> {
  await burst(200, (index) => postGraphQL((gateways[index % gateways.length] as RunningGateway).url, '{ viewer { keyId } }', undefined, bearer(secret)));
}

/** Polls `read` until it returns something equal to `expected` or `timeoutMs` passes; returns the last value. */
async function pollUntilEqual<T>(read: () => Promise<T>, expected: T, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

const DEPLOYMENTS = [
  { name: 'Redis', block: () => `{ url: "${redis.url}" }` },
  { name: 'Redis Cluster (3 masters)', block: () => `{ cluster: [${cluster.nodes.map((node) => `"${node}"`).join(', ')}] }` },
];

describe.each(DEPLOYMENTS)('two replicas on one $name', (deployment) => {
  beforeAll(() => {
    redisBlock = deployment.block;
  });

  it('admits exactly requestsPerMinute chat mutations in total, refusing the rest with 429 and Retry-After', async () => {
    const { a, b } = await replicas('{ requestsPerMinute: 50 }');
    mock.script({ kind: 'text', chunks: ['ok'], usage: { promptTokens: 3, completionTokens: 1 } });
    await warmUp([a, b], USER_KEY);
    const before = mock.requests.length;

    const { results, spanMs } = await burst(200, (index) => postGraphQL((index % 2 === 0 ? a : b).url, ChatDocument, chatInput(), bearer(USER_KEY)));

    const admitted = results.filter((result) => result.body.data?.chat);
    const refused = results.filter((result) => !result.body.data?.chat);
    // Exactly 50 (plus one per 1.2 s the burst lasted: the limit slides, it is not a fixed window).
    const extra = refilledDuring(spanMs, 50);
    expect(admitted.length).toBeGreaterThanOrEqual(50);
    expect(admitted.length).toBeLessThanOrEqual(50 + extra);
    expect(refused).toHaveLength(200 - admitted.length);
    for (const result of admitted) expect(result.body.errors).toBeUndefined();
    for (const result of refused) {
      expect(result.status).toBe(429);
      expect(codeOf(result.body.errors)).toBe('RATE_LIMITED');
      const retryAfter = result.headers.get('retry-after');
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(result.body.errors?.[0]?.extensions?.retryAfterSeconds).toBe(Number(retryAfter));
    }
    expect(mock.requests.length - before).toBe(admitted.length);
  });

  it('admits exactly requestsPerMinute chatStream subscriptions over graphql-ws, with no upstream call for the refused', async () => {
    const { a, b } = await replicas('{ requestsPerMinute: 50 }');
    mock.script({ kind: 'text', chunks: ['str', 'eam'], usage: { promptTokens: 3, completionTokens: 2 } });
    await warmUp([a, b], USER_KEY);
    // Four connections per replica, 25 subscriptions on each; connected before the burst.
    const clients = Array.from({ length: 8 }, (_, index) => createWsClient((index % 2 === 0 ? a : b).wsUrl, { authorization: `Bearer ${USER_KEY}` }));
    try {
      await Promise.all(clients.map((client) => collectWs(client, '{ viewer { keyId } }')));
      const before = mock.requests.length;
      const { results: outcomes, spanMs } = await burst(200, (index) => wsStream(clients[index % 8] as Client, chatInput().input));

      const completed = outcomes.filter((outcome) => outcome.code === undefined);
      expect(completed.length).toBeGreaterThanOrEqual(50);
      expect(completed.length).toBeLessThanOrEqual(50 + refilledDuring(spanMs, 50));
      for (const outcome of completed) {
        expect(outcome.events.map((event) => event.delta ?? '').join('')).toBe('stream');
        expect(outcome.events.at(-1)?.done).toBe(true);
      }
      const refused = outcomes.filter((outcome) => outcome.code !== undefined);
      expect(refused.map((outcome) => outcome.code)).toEqual(Array.from({ length: 200 - completed.length }, () => 'RATE_LIMITED'));
      expect(refused.every((outcome) => outcome.events.length === 0)).toBe(true);
      expect(mock.requests.length - before).toBe(completed.length);
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });

  it('bounds the tokens-per-minute overshoot across replicas by one reservation', async () => {
    const maxTokens = 40;
    const prompt = await countPromptTokens(GATEWAY_MESSAGES);
    const reservation = prompt + maxTokens;
    const tokensPerMinute = 10 * reservation;
    const { a, b } = await replicas(`{ tokensPerMinute: ${tokensPerMinute} }`);
    // The upstream reports less than reserved, so settling gives tokens back while the burst runs.
    const reported = { promptTokens: prompt, completionTokens: maxTokens / 2 };
    mock.script({ kind: 'text', chunks: ['tokens'], usage: reported });
    const before = mock.requests.length;

    const results = (await Promise.all(
      Array.from({ length: 60 }, (_, index) => postGraphQL((index % 2 === 0 ? a : b).url, ChatDocument, chatInput({ maxTokens }), bearer(USER_KEY))),
    )) as Chat[];

    const admitted = results.filter((result) => result.body.data?.chat);
    const refused = results.filter((result) => !result.body.data?.chat);
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(refused.map((result) => codeOf(result.body.errors))).toEqual(refused.map(() => 'RATE_LIMITED'));
    const used = admitted.reduce((sum, result) => sum + (result.body.data?.chat.usage.promptTokens ?? 0) + (result.body.data?.chat.usage.completionTokens ?? 0), 0);
    expect(used).toBeLessThanOrEqual(tokensPerMinute + reservation);
    expect(mock.requests.length - before).toBe(admitted.length);
  });

  it('keeps the shared budget: spend within one reservation of it, refusals never reach the upstream, viewer agrees', async () => {
    const maxTokens = 20;
    const prompt = await countPromptTokens(GATEWAY_MESSAGES);
    const reservationUsd = ((prompt + maxTokens) * PRICE) / 1_000_000;
    const budgetUsd = 5 * reservationUsd;
    const { a, b } = await replicas(`{ budgetUsd: ${budgetUsd} }`);
    mock.script({ kind: 'text', chunks: ['spent'], usage: { promptTokens: prompt, completionTokens: maxTokens - 5 } });
    const before = mock.requests.length;

    const results = (await Promise.all(
      Array.from({ length: 30 }, (_, index) => postGraphQL((index % 2 === 0 ? a : b).url, ChatDocument, chatInput({ maxTokens }), bearer(USER_KEY))),
    )) as Chat[];

    const admitted = results.filter((result) => result.body.data?.chat);
    const refused = results.filter((result) => !result.body.data?.chat);
    expect(admitted.length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((result) => codeOf(result.body.errors))).toEqual(refused.map(() => 'BUDGET_EXCEEDED'));
    expect(mock.requests.length - before).toBe(admitted.length);
    const spentUsd = admitted.reduce((sum, result) => sum + (result.body.data?.chat.usage.costUsd ?? 0), 0);
    expect(spentUsd).toBeLessThanOrEqual(budgetUsd + reservationUsd + 1e-9);

    // Settling is asynchronous: give it a moment to reach Redis, then B must see A's spend too.
    const readBudget = async () => {
      const { body } = await postGraphQL(b.url, '{ viewer { budget { spentUsd limitUsd } } }', undefined, bearer(USER_KEY));
      return (body.data as { viewer: { budget: { spentUsd: number; limitUsd: number } } }).viewer.budget;
    };
    const expected = { spentUsd: Math.round(spentUsd * 1e6) / 1e6, limitUsd: budgetUsd };
    const seen = await pollUntilEqual(async () => {
      const budget = await readBudget();
      return { spentUsd: Math.round(budget.spentUsd * 1e6) / 1e6, limitUsd: budget.limitUsd };
    }, expected);
    expect(seen).toEqual(expected);
  });

  it('counts usage exactly and shares it: complete chats and streams, and streams cancelled halfway', async () => {
    const { a, b } = await replicas('{}');
    const reported = { promptTokens: 11, completionTokens: 7 };
    const complete = 12;
    const cancelled = 4;
    const k = 3;

    // Complete ones: chats over HTTP and streams over graphql-ws, half on each replica.
    mock.script({ kind: 'text', chunks: ['all', ' done'], usage: reported });
    const wsA = createWsClient(a.wsUrl, { authorization: `Bearer ${USER_KEY}` });
    const wsB = createWsClient(b.wsUrl, { authorization: `Bearer ${USER_KEY}` });
    try {
      const chats = Array.from({ length: complete / 2 }, (_, index) => postGraphQL((index % 2 === 0 ? a : b).url, ChatDocument, chatInput(), bearer(USER_KEY)));
      const streams = Array.from({ length: complete / 2 }, (_, index) => wsStream(index % 2 === 0 ? wsA : wsB, chatInput().input));
      const chatResults = await Promise.all(chats);
      const streamResults = await Promise.all(streams);
      expect(chatResults.map((result) => result.body.data?.chat.usage.promptTokens)).toEqual(chats.map(() => reported.promptTokens));
      expect(streamResults.map((result) => [result.code, result.events.at(-1)?.usage?.completionTokens])).toEqual(
        streams.map(() => [undefined, reported.completionTokens]),
      );

      // Cancelled ones: k deltas of exactly four characters, then the upstream hangs and the client leaves.
      mock.script({ kind: 'hang', chunks: Array.from({ length: k }, (_, index) => `ab${index}d`) });
      const abortsBefore = mock.abortedCount;
      const readThenLeave = async (replica: 'A' | 'B', transport: 'ws' | 'sse') => {
        // Count characters, not events: deltas the upstream sent together may arrive coalesced into one event.
        let text = '';
        if (transport === 'ws') {
          const iterator = (replica === 'A' ? wsA : wsB).iterate<ChatStreamSubscription>({ query: print(ChatStreamDocument), variables: chatInput() });
          while (text.length < 4 * k) {
            const next = await iterator.next();
            if (next.done) break;
            text += (next.value as FormattedExecutionResult<ChatStreamSubscription>).data?.chatStream.delta ?? '';
          }
          await iterator.return?.(undefined);
        } else {
          const controller = new AbortController();
          const events = subscribeSse((replica === 'A' ? a : b).url, ChatStreamDocument, chatInput(), { signal: controller.signal, ...bearer(USER_KEY) });
          for await (const result of events) {
            text += result.data?.chatStream.delta ?? '';
            if (text.length >= 4 * k) break;
          }
          controller.abort();
        }
        return text;
      };
      const seen = await Promise.all([readThenLeave('A', 'ws'), readThenLeave('B', 'ws'), readThenLeave('A', 'sse'), readThenLeave('B', 'sse')]);
      const relayed = Array.from({ length: k }, (_, index) => `ab${index}d`).join('');
      expect(seen).toEqual([relayed, relayed, relayed, relayed]);
      await mock.waitForAborts(abortsBefore + cancelled, 2_000);
    } finally {
      await Promise.all([wsA.dispose(), wsB.dispose()]);
    }

    const expected: Totals = {
      requests: complete + cancelled,
      promptTokens: complete * reported.promptTokens + cancelled * estimatePromptTokens(GATEWAY_MESSAGES),
      completionTokens: complete * reported.completionTokens + cancelled * k,
    };
    const viewerOnB = await pollUntilEqual(async () => {
      const { body } = await postGraphQL(b.url, USAGE_QUERY, undefined, bearer(USER_KEY));
      return (body.data as { viewer: { usage: Totals } }).viewer.usage;
    }, expected);
    expect(viewerOnB).toEqual(expected);
    const { body } = await postGraphQL(a.url, KEY_USAGE_QUERY, { keyId: 'user' }, bearer(ADMIN_KEY));
    expect(body.errors).toBeUndefined();
    expect((body.data as { keyUsage: Totals }).keyUsage).toEqual(expected);
  });

  it('revokes a key on every replica within a second, cached or not', async () => {
    const { a, b } = await replicas('{}');
    mock.script({ kind: 'text', chunks: ['hi'], usage: { promptTokens: 2, completionTokens: 1 } });
    const create = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { id } } }';
    const revoke = 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';
    const newKey = async (id: string) => {
      const { body } = await postGraphQL(a.url, create, { input: { id, scopes: ['CHAT', 'MODELS'] } }, bearer(ADMIN_KEY));
      expect(body.errors).toBeUndefined();
      return (body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    };
    /** Revokes on A, then polls B every 50 ms; resolves with how long B kept accepting the key. */
    const revokeAndWatch = async (id: string, secret: string) => {
      const revoked = await postGraphQL(a.url, revoke, { id }, bearer(ADMIN_KEY));
      expect(revoked.body.errors).toBeUndefined();
      const start = performance.now();
      for (;;) {
        const { status, body } = await postGraphQL(b.url, '{ viewer { keyId } }', undefined, bearer(secret));
        const elapsed = performance.now() - start;
        if (status === 401) {
          expect(codeOf(body.errors)).toBe('UNAUTHENTICATED');
          expect(body.errors?.[0]?.message).toMatch(/revoked/);
          return elapsed;
        }
        expect(body.data).toEqual({ viewer: { keyId: id } });
        if (elapsed > 2_000) return elapsed;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // Created on A, works on A and on B.
    const first = await newKey('runtime-a');
    for (const replica of [a, b]) {
      const { body } = await postGraphQL(replica.url, ChatDocument, chatInput(), bearer(first));
      expect(body.errors).toBeUndefined();
      expect(body.data?.chat.message.content).toBe('hi');
    }
    expect(await revokeAndWatch('runtime-a', first)).toBeLessThan(1_000);
    const onA = await postGraphQL(a.url, ChatDocument, chatInput(), bearer(first));
    expect(onA.status).toBe(401);
    expect(onA.body.errors?.[0]?.message).toBe('This API key has been revoked.');

    // Used on B right before the revocation, so B holds it in its cache.
    const second = await newKey('runtime-b');
    const used = await postGraphQL(b.url, ChatDocument, chatInput(), bearer(second));
    expect(used.body.data?.chat.message.content).toBe('hi');
    expect(await revokeAndWatch('runtime-b', second)).toBeLessThan(1_000);
  });
});
