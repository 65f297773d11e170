import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * Several aliased `chat` fields in one mutation are admitted together or not at
 * all: a caller near its limit must not get the first answers billed upstream and
 * then thrown away when a later field is refused (`chat` is non-null, so one
 * refused field nulls the whole `data`).
 */

const KEY = 'sbk_admission-0123456789abcdefghij';
const bearer = { headers: { authorization: `Bearer ${KEY}` } };
const usage = { promptTokens: 3, completionTokens: 2 };

const field = (alias: string, model = 'mock/gpt') => `${alias}: chat(input: { model: "${model}", messages: [{ role: USER, content: "${alias}" }] }) { message { content } }`;
const threeChats = `mutation { ${field('a')} ${field('b')} ${field('c')} }`;

let mock: WireMock;
const running: RunningGateway[] = [];

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
  mock.script({ kind: 'text', chunks: ['ok'], usage });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});
afterAll(async () => {
  await mock?.close();
});

async function gateway(limits: string): Promise<RunningGateway> {
  const gw = await startGateway(`
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: test-key }]
models: [{ provider: mock, upstream: gpt, pricing: { input: 1000, output: 1000 } }]
cache: { completions: { mode: off } }
auth:
  keys:
    - { id: near-limit, secret: "${KEY}", scopes: [chat, models], limits: ${limits} }
`);
  running.push(gw);
  return gw;
}

describe('all-or-nothing admission of the chat fields of one operation', () => {
  it('refuses 3 aliased chats with 429 and no upstream call when only 2 requests are left', async () => {
    const gw = await gateway('{ requestsPerMinute: 2 }');
    const before = mock.requests.length;
    const { status, headers, body } = await postGraphQL(gw.url, threeChats, undefined, bearer);
    expect(status).toBe(429);
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(mock.requests.length).toBe(before);
    // Nothing was kept: the two requests left are still there for a smaller operation.
    const two = await postGraphQL(gw.url, `mutation { ${field('a')} ${field('b')} }`, undefined, bearer);
    expect(two.body.errors).toBeUndefined();
    expect(two.body.data).toEqual({ a: { message: { content: 'ok' } }, b: { message: { content: 'ok' } } });
    expect(mock.requests.length).toBe(before + 2);
  });

  it('refuses them with BUDGET_EXCEEDED and no upstream call when the budget covers only two', async () => {
    // Each call reserves (prompt + 1,024 completion tokens) × $0.001: about $1.03; the budget covers two.
    const gw = await gateway('{ budgetUsd: 2.5 }');
    const before = mock.requests.length;
    const { body } = await postGraphQL(gw.url, threeChats, undefined, bearer);
    expect(body.errors?.[0]?.extensions?.code).toBe('BUDGET_EXCEEDED');
    expect(body.data ?? null).toBeNull();
    expect(mock.requests.length).toBe(before);
  });

  it('runs none of them when one field’s input is invalid or its model unknown', async () => {
    const gw = await gateway('{ requestsPerMinute: 100 }');
    const before = mock.requests.length;
    const unknown = await postGraphQL(gw.url, `mutation { ${field('a')} ${field('b', 'mock/nope')} }`, undefined, bearer);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('MODEL_NOT_FOUND');
    const empty = await postGraphQL(gw.url, `mutation { ${field('a')} b: chat(input: { model: "mock/gpt", messages: [] }) { id } }`, undefined, bearer);
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(mock.requests.length).toBe(before);
  });

  it('admits fields reached through fragments and variables, and runs them all when they fit', async () => {
    const gw = await gateway('{ requestsPerMinute: 3 }');
    const before = mock.requests.length;
    const document = `mutation ($skip: Boolean!) { ${field('a')} ...More ... on Mutation { ${field('c')} } d: chat(input: { model: "mock/gpt", messages: [{ role: USER, content: "d" }] }) @include(if: $skip) { id } }
fragment More on Mutation { ${field('b')} }`;
    const ran = await postGraphQL(gw.url, document, { skip: false }, bearer);
    expect(ran.body.errors).toBeUndefined();
    expect(Object.keys(ran.body.data as object).sort()).toEqual(['a', 'b', 'c']);
    expect(mock.requests.length).toBe(before + 3);
    // The minute's 3 are used: one more field is refused before it runs.
    const refused = await postGraphQL(gw.url, `mutation { ${field('a')} }`, undefined, bearer);
    expect(refused.status).toBe(429);
    expect(mock.requests.length).toBe(before + 3);
  });
});
