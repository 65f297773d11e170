import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatStreamDocument } from '../../schema/generated/graphql.js';
import { createWsClient, postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * limits.maxConcurrentRequests: model calls in flight per caller (chats and open
 * streams), refused with RATE_LIMITED beyond it, exact across replicas, and given
 * back however a call ends. A leaked slot would lock its caller out for good, so
 * each way of ending is followed by a call that must be admitted.
 */

const ONE = 'sbk_concurrency-one-0123456789abcd';
const TWO = 'sbk_concurrency-two-0123456789abcd';
const usage = { promptTokens: 3, completionTokens: 2 };
const headers = (secret: string) => ({ authorization: `Bearer ${secret}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHAT = 'mutation ($model: String!) { chat(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) { message { content } } }';
const streamInput = { input: { model: 'mock/gpt', messages: [{ role: 'USER' as const, content: 'hold on' }] } };

let mock: WireMock;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
});
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});
afterAll(async () => {
  await mock?.close();
});

function config(extra = ''): string {
  return `
server: { shutdownGraceMs: 0 }
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: test-key }]
models:
  - { provider: mock, upstream: gpt }
  - { provider: mock, upstream: slow, timeouts: { totalMs: 300, firstTokenMs: 300 }, retry: { attempts: 0 } }
cache: { completions: { mode: off } }
auth:
  keys:
    - { id: one, secret: "${ONE}", limits: { maxConcurrentRequests: 1 } }
    - { id: two, secret: "${TWO}", limits: { maxConcurrentRequests: 2 } }
${extra}`;
}

async function gateway(yaml: string): Promise<RunningGateway> {
  const gw = await startGateway(yaml);
  cleanups.push(() => gw.stop());
  return gw;
}

async function chat(gw: RunningGateway, secret: string, model = 'mock/gpt', signal?: AbortSignal) {
  const { status, headers: answer, body } = await postGraphQL(gw.url, CHAT, { model }, { headers: headers(secret), ...(signal ? { signal } : {}) });
  return { status, retryAfter: answer.get('retry-after'), code: body.errors?.[0]?.extensions?.code };
}

/** True once a plain chat is admitted again (the slot came back), within a generous bound. */
async function admittedAgain(gw: RunningGateway, secret: string): Promise<boolean> {
  mock.script({ kind: 'text', chunks: ['ok'], usage });
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if ((await chat(gw, secret)).status === 200) return true;
    await sleep(50);
  }
  return false;
}

/** Resolves once the mock has received `count` more requests than `before`. */
async function upstreamReached(before: number, count = 1): Promise<void> {
  while (mock.requests.length < before + count) await sleep(10);
}

/** A chatStream over SSE held open on a hanging upstream, after its first event. */
async function heldSse(gw: RunningGateway, secret: string) {
  const controller = new AbortController();
  const events = subscribeSse(gw.url, ChatStreamDocument, streamInput, { headers: headers(secret), signal: controller.signal });
  const first = await events.next();
  expect(first.value?.data?.chatStream.delta).toBe('x');
  return {
    close: () => {
      controller.abort();
      void events.return(undefined).catch(() => undefined);
    },
  };
}

describe('maxConcurrentRequests (memory store)', () => {
  it('refuses a call beyond the cap with 429 RATE_LIMITED and Retry-After, and admits again once one ends', async () => {
    const gw = await gateway(config());
    mock.script({ kind: 'hang', chunks: ['x'] });
    const first = await heldSse(gw, TWO);
    const second = await heldSse(gw, TWO);
    const refused = await chat(gw, TWO);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Another caller has its own slots.
    mock.script({ kind: 'text', chunks: ['ok'], usage });
    expect((await chat(gw, ONE)).status).toBe(200);
    first.close();
    expect(await admittedAgain(gw, TWO)).toBe(true);
    second.close();
  });

  it('gives the slot back on success, upstream error, timeout and client cancel of a chat', async () => {
    const gw = await gateway(config());
    mock.script({ kind: 'text', chunks: ['ok'], usage });
    expect((await chat(gw, ONE)).status).toBe(200);
    expect(await admittedAgain(gw, ONE)).toBe(true);

    mock.script({ kind: 'status', status: 500 });
    expect((await chat(gw, ONE)).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await admittedAgain(gw, ONE)).toBe(true);

    mock.script({ kind: 'hang', chunks: [] });
    expect((await chat(gw, ONE, 'mock/slow')).code).toBe('UPSTREAM_TIMEOUT');
    expect(await admittedAgain(gw, ONE)).toBe(true);

    mock.script({ kind: 'hang', chunks: [] });
    const before = mock.requests.length;
    const controller = new AbortController();
    const cancelled = chat(gw, ONE, 'mock/gpt', controller.signal).catch((error: unknown) => error);
    await upstreamReached(before);
    expect((await chat(gw, ONE)).status).toBe(429);
    controller.abort();
    await cancelled;
    expect(await admittedAgain(gw, ONE)).toBe(true);
  });

  it('gives the slot back when a stream is unsubscribed (graphql-ws), its socket drops, or its SSE or /v1 client goes away', async () => {
    const gw = await gateway(config());

    // graphql-ws: the client completes the subscription.
    mock.script({ kind: 'hang', chunks: ['x'] });
    const client = createWsClient(gw.wsUrl, { authorization: `Bearer ${ONE}` });
    cleanups.push(async () => void (await client.dispose()));
    const iterator = client.iterate({ query: print(ChatStreamDocument), variables: streamInput });
    expect((await iterator.next()).value).toBeDefined();
    expect((await chat(gw, ONE)).status).toBe(429);
    await iterator.return?.(undefined);
    expect(await admittedAgain(gw, ONE)).toBe(true);

    // graphql-ws: the socket goes away mid-stream.
    mock.script({ kind: 'hang', chunks: ['x'] });
    const dropped = createWsClient(gw.wsUrl, { authorization: `Bearer ${ONE}` });
    const held = dropped.iterate({ query: print(ChatStreamDocument), variables: streamInput });
    expect((await held.next()).value).toBeDefined();
    await dropped.dispose();
    expect(await admittedAgain(gw, ONE)).toBe(true);

    // SSE: the client closes the response.
    mock.script({ kind: 'hang', chunks: ['x'] });
    const sse = await heldSse(gw, ONE);
    expect((await chat(gw, ONE)).status).toBe(429);
    sse.close();
    expect(await admittedAgain(gw, ONE)).toBe(true);

    // /v1/chat/completions with stream: true, closed after the first chunk.
    mock.script({ kind: 'hang', chunks: ['x'] });
    const controller = new AbortController();
    const response = await fetch(`${gw.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers(ONE), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/gpt', stream: true, messages: [{ role: 'user', content: 'hold on' }] }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    await reader?.read();
    const refused = await fetch(`${gw.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers(ONE), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/gpt', messages: [{ role: 'user', content: 'me too' }] }),
    });
    expect(refused.status).toBe(429);
    controller.abort();
    await reader?.cancel().catch(() => undefined);
    expect(await admittedAgain(gw, ONE)).toBe(true);
  });
});

describe('maxConcurrentRequests across replicas (Redis)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('counts the slots of both replicas exactly, and frees those of a dead replica after the lease TTL', async () => {
    const yaml = config(`redis: { url: "${redis.url}", keyPrefix: "conc-${randomUUID()}:" }\nlimits: { leaseTtlMs: 1500 }`);
    const a = await gateway(yaml);
    const b = await gateway(yaml);

    mock.script({ kind: 'hang', chunks: ['x'] });
    const onA = await heldSse(a, TWO);
    const onB = await heldSse(b, TWO);
    expect((await chat(a, TWO)).status).toBe(429);
    expect((await chat(b, TWO)).status).toBe(429);
    onA.close();
    expect(await admittedAgain(b, TWO)).toBe(true);
    onB.close();
    expect(await admittedAgain(a, TWO)).toBe(true);

    // A replica that died holding both slots never releases them: its leases simply stop being refreshed.
    await a.gateway.stores.leases.acquire('conc:key:two', 'dead-replica-1', 2, 1_500);
    await a.gateway.stores.leases.acquire('conc:key:two', 'dead-replica-2', 2, 1_500);
    mock.script({ kind: 'text', chunks: ['ok'], usage });
    expect((await chat(b, TWO)).status).toBe(429);
    expect(await admittedAgain(b, TWO)).toBe(true);
  }, 30_000);

  it('keeps a long stream’s lease alive past the TTL by refreshing it', async () => {
    const yaml = config(`redis: { url: "${redis.url}", keyPrefix: "conc-${randomUUID()}:" }\nlimits: { leaseTtlMs: 1000 }`);
    const a = await gateway(yaml);
    mock.script({ kind: 'hang', chunks: ['x'] });
    const stream = await heldSse(a, ONE);
    // Three TTLs later the stream still holds its slot.
    await sleep(3_000);
    expect((await chat(a, ONE)).status).toBe(429);
    stream.close();
    expect(await admittedAgain(a, ONE)).toBe(true);
  }, 30_000);
});
