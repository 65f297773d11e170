import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedDocument } from '../../schema/generated/graphql.js';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { fakeTokens, fakeVector, startEmbeddingMock, type EmbeddingMock } from '../helpers/embedding-mock.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const PRICING = { 'mock/emb-a': 0.02, 'mock/emb-b': 0.13 } as const;
const MODELS = Object.keys(PRICING) as (keyof typeof PRICING)[];

interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  byModel: { model: string; requests: number; promptTokens: number; costUsd: number }[];
}

async function viewerUsage(gw: RunningGateway, headers: Record<string, string> = {}): Promise<UsageTotals> {
  const { body } = await postGraphQL(gw.url, '{ viewer { usage { requests promptTokens completionTokens costUsd byModel { model requests promptTokens costUsd } } } }', undefined, { headers });
  expect(body.errors).toBeUndefined();
  return (body.data as { viewer: { usage: UsageTotals } }).viewer.usage;
}

describe('embeddings through an OpenAI-compatible provider', () => {
  let mock: EmbeddingMock;
  let gw: RunningGateway;

  beforeAll(async () => {
    mock = await startEmbeddingMock();
    gw = await startGateway(
      `
providers:
  - { id: mock, type: openai, baseUrl: "\${MOCK}/v1", apiKey: sk-mock-emb }
  - { id: local, type: local, tokenDelayMs: 0 }
models:
  - { provider: mock, upstream: emb-a, capabilities: [embeddings], pricing: { input: ${PRICING['mock/emb-a']}, output: 0 } }
  - { provider: mock, upstream: emb-b, capabilities: [embeddings], pricing: { input: ${PRICING['mock/emb-b']}, output: 0 } }
  - { provider: mock, upstream: chatty, capabilities: [chat, streaming], pricing: { input: 1, output: 2 } }
  - { provider: local, upstream: echo }
cache:
  responses: { enabled: false }
`,
      { MOCK: mock.origin },
    );
  });
  afterAll(async () => {
    await gw.stop();
    await mock.close();
  });

  it('batches 20 aliased fields over 2 models into exactly 2 upstream calls, each field getting its own vector', async () => {
    mock.requests.length = 0;
    const fields = Array.from({ length: 20 }, (_, index) => {
      const model = MODELS[index % 2] as string;
      // Distinct texts of distinct lengths, so a vector or usage share given to the wrong field shows.
      const input = `text number ${index}: ${'x'.repeat(index * 3)}`;
      return { alias: `e${index}`, model, input };
    });
    const query = `query Batch {
${fields.map((field) => `  ${field.alias}: embedding(model: ${JSON.stringify(field.model)}, input: ${JSON.stringify(field.input)}) { vector dimensions model usage { promptTokens costUsd } }`).join('\n')}
}`;
    const { status, body } = await postGraphQL(gw.url, query);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();

    expect(mock.requests).toHaveLength(2);
    for (const model of MODELS) {
      const upstream = model.slice('mock/'.length);
      const sent = mock.requests.filter((request) => (request.body as { model: string }).model === upstream);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.path).toBe('/v1/embeddings');
      expect((sent[0]?.body as { input: string[] }).input).toEqual(fields.filter((field) => field.model === model).map((field) => field.input));
    }

    const data = body.data as Record<string, { vector: number[]; dimensions: number; model: string; usage: { promptTokens: number; costUsd: number } }>;
    for (const field of fields) {
      const result = data[field.alias];
      expect(result?.vector).toEqual(fakeVector(field.input));
      expect(result?.dimensions).toBe(fakeVector(field.input).length);
      expect(result?.model).toBe(field.model);
    }
    // Per-field usage shares add up to each batch's reported tokens.
    for (const model of MODELS) {
      const mine = fields.filter((field) => field.model === model);
      const total = fakeTokens(mine.map((field) => field.input));
      expect(mine.reduce((sum, field) => sum + (data[field.alias]?.usage.promptTokens ?? 0), 0)).toBe(total);
      expect(mine.reduce((sum, field) => sum + (data[field.alias]?.usage.costUsd ?? 0), 0)).toBeCloseTo((total * PRICING[model]) / 1e6, 12);
      // Longer text, more tokens.
      const shares = mine.map((field) => data[field.alias]?.usage.promptTokens ?? 0);
      expect(shares).toEqual([...shares].sort((a, b) => a - b));
    }

    // What the meter recorded equals what the mock reported.
    const expectedTokens = MODELS.map((model) => fakeTokens(fields.filter((field) => field.model === model).map((field) => field.input)));
    const expectedCost = MODELS.reduce((sum, model, index) => sum + ((expectedTokens[index] ?? 0) * PRICING[model]) / 1e6, 0);
    await expect
      .poll(() => viewerUsage(gw), { timeout: 3_000 })
      .toMatchObject({ requests: 2, promptTokens: expectedTokens[0]! + expectedTokens[1]!, completionTokens: 0 });
    const usage = await viewerUsage(gw);
    // The store keeps cost in whole micro-dollars per record.
    expect(Math.abs(usage.costUsd - expectedCost)).toBeLessThanOrEqual(2e-6);
    expect(usage.byModel.map((entry) => [entry.model, entry.requests, entry.promptTokens])).toEqual([
      ['mock/emb-a', 1, expectedTokens[0]],
      ['mock/emb-b', 1, expectedTokens[1]],
    ]);
  });

  it('answers the Embed operation for one text', async () => {
    const { body } = await postGraphQL(gw.url, EmbedDocument, { model: 'mock/emb-a', input: 'just one' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.embedding).toEqual({
      vector: fakeVector('just one'),
      dimensions: 4,
      model: 'mock/emb-a',
      usage: { promptTokens: fakeTokens(['just one']), costUsd: expect.closeTo((fakeTokens(['just one']) * PRICING['mock/emb-a']) / 1e6, 12) },
    });
  });

  it('refuses a chat model, an unknown model, an empty input and an over-long input with their codes', async () => {
    const before = mock.requests.length;
    const cases = [
      { model: 'mock/chatty', input: 'hi', code: 'BAD_USER_INPUT' },
      { model: 'local/echo', input: 'hi', code: 'BAD_USER_INPUT' },
      { model: 'nope/none', input: 'hi', code: 'MODEL_NOT_FOUND' },
      { model: 'mock/emb-a', input: '', code: 'BAD_USER_INPUT' },
      { model: 'mock/emb-a', input: 'y'.repeat(100_001), code: 'BAD_USER_INPUT' },
    ];
    for (const { model, input, code } of cases) {
      const { body } = await postGraphQL(gw.url, EmbedDocument, { model, input });
      expect(body.data ?? null, `${model} ${input.length}`).toBeNull();
      expect(body.errors?.[0]?.extensions?.code, `${model} ${input.length}`).toBe(code);
    }
    expect(mock.requests.length).toBe(before);
  });

  it('fails the fields of a batch with the upstream error code (one upstream call for the batch)', async () => {
    mock.requests.length = 0;
    mock.failNext(401);
    const { body } = await postGraphQL(
      gw.url,
      `{ a: embedding(model: "mock/emb-a", input: "one") { dimensions } b: embedding(model: "mock/emb-a", input: "two") { dimensions } }`,
    );
    expect(mock.requests).toHaveLength(1);
    // Non-null root fields: the first error nulls `data`, as for any query.
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
    expect(body.errors?.[0]?.path?.[0]).toMatch(/^[ab]$/);
    expect(JSON.stringify(body)).not.toContain('sk-mock-emb');
  });
});

describe('local/embed in the embedded default', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.stop());

  it('embeds with no upstream, deterministically', async () => {
    const query = '{ a: embedding(model: "local/embed", input: "hello world") { vector dimensions model usage { promptTokens costUsd } } b: embedding(model: "local/embed", input: "another text") { vector } }';
    const first = await postGraphQL(gw.url, query);
    const second = await postGraphQL(gw.url, EmbedDocument, { model: 'local/embed', input: 'hello world' });
    expect(first.body.errors).toBeUndefined();
    expect(second.body.errors).toBeUndefined();
    const a = (first.body.data as { a: { vector: number[]; dimensions: number; model: string; usage: { promptTokens: number; costUsd: number } } }).a;
    const b = (first.body.data as { b: { vector: number[] } }).b;
    expect(a.dimensions).toBe(16);
    expect(a.model).toBe('local/embed');
    expect(a.usage).toEqual({ promptTokens: 2, costUsd: 0 });
    expect(Math.hypot(...a.vector)).toBeCloseTo(1, 6);
    expect(b.vector).not.toEqual(a.vector);
    expect(second.body.data?.embedding.vector).toEqual(a.vector);
  });
});

describe('embeddings and auth scopes', () => {
  const EMBEDDER = 'sbk_embedder-secret-0123456789abcdef';
  const CHATTER = 'sbk_chatter-secret-0123456789abcdef';
  const LIMITED = 'sbk_limited-secret-0123456789abcdef';
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: embedder, secret: "\${EMBEDDER}", scopes: [embed, models] }
    - { id: chatter, secret: "\${CHATTER}", scopes: [chat, models] }
    - { id: limited, secret: "\${LIMITED}", scopes: [embed], models: ["local/echo"] }
`,
      { EMBEDDER, CHATTER, LIMITED },
    );
  });
  afterAll(() => gw.stop());
  const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });

  it('needs the embed scope, and the model on the allow-list', async () => {
    const ok = await postGraphQL(gw.url, EmbedDocument, { model: 'local/embed', input: 'scoped' }, bearer(EMBEDDER));
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.embedding.dimensions).toBe(16);

    const noScope = await postGraphQL(gw.url, EmbedDocument, { model: 'local/embed', input: 'scoped' }, bearer(CHATTER));
    expect(noScope.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const notAllowed = await postGraphQL(gw.url, EmbedDocument, { model: 'local/embed', input: 'scoped' }, bearer(LIMITED));
    expect(notAllowed.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
