import OpenAI, { APIError, BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddingMock, type EmbeddingMock } from '../helpers/embedding-mock.js';
import { FULL_KEY, MODEL, startRestFixture, UPSTREAM_SECRET, type RestFixture } from './gateway-fixture.js';

const usage = { promptTokens: 12, completionTokens: 5 };
let fx: RestFixture;
let embedMock: EmbeddingMock;
let client: OpenAI;

beforeAll(async () => {
  embedMock = await startEmbeddingMock();
  fx = await startRestFixture({
    providers: `  - { id: emb, type: openai, baseUrl: "\${EMB}/v1", apiKey: sk-emb }
  - { id: gem, type: google, baseUrl: "\${EMB}/v1beta", apiKey: gem-key }`,
    models: `  - { provider: emb, upstream: text-embedding-3-small, capabilities: [embeddings] }
  - { provider: gem, upstream: gemini-embedding-001, capabilities: [embeddings] }`,
    env: { EMB: embedMock.origin },
  });
  client = new OpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await fx?.stop();
  await embedMock?.close();
});

async function failure<T extends APIError>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('GET /v1/models/{id}', () => {
  it('retrieves an id containing "/" through the SDK, encoded or not, and 404s an unknown one', async () => {
    expect(await client.models.retrieve('local/echo')).toMatchObject({ id: 'local/echo', object: 'model', owned_by: 'local' });
    expect(await client.models.retrieve(MODEL)).toMatchObject({ id: MODEL, owned_by: 'oai' });
    for (const path of ['local/echo', 'local%2Fecho', 'local%2fecho']) {
      const response = await fetch(`${fx.baseURL}/models/${path}`, { headers: { authorization: `Bearer ${FULL_KEY}` } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { id: string }).id).toBe('local/echo');
    }
    const error = await failure(client.models.retrieve('nope/nothing'), NotFoundError);
    expect(error.error).toMatchObject({ code: 'model_not_found', type: 'invalid_request_error', param: 'model' });
    expect((await fetch(`${fx.baseURL}/models/local/echo`)).status).toBe(401);
  });
});

describe('dimensions on /v1/embeddings reach the upstream', () => {
  it('OpenAI-compatible: the exact upstream body carries dimensions', async () => {
    const result = await client.embeddings.create({ model: 'emb/text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 256 });
    expect(result.data).toHaveLength(2);
    expect(embedMock.requests.at(-1)?.body).toEqual({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 256 });
    await client.embeddings.create({ model: 'emb/text-embedding-3-small', input: 'gamma' });
    expect(embedMock.requests.at(-1)?.body).toEqual({ model: 'text-embedding-3-small', input: ['gamma'] });
  });

  it('Gemini: outputDimensionality on every request of the batch', async () => {
    await client.embeddings.create({ model: 'gem/gemini-embedding-001', input: ['alpha', 'beta'], dimensions: 768 });
    expect(embedMock.requests.at(-1)?.body).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 768 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'beta' }] }, outputDimensionality: 768 },
      ],
    });
  });

  it('local/embed shortens its vectors, and refuses more than it has', async () => {
    const short = await client.embeddings.create({ model: 'local/embed', input: 'hello', dimensions: 8, encoding_format: 'float' });
    const vector = short.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(8);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    const error = await failure(client.embeddings.create({ model: 'local/embed', input: 'hello', dimensions: 4096 }), BadRequestError);
    expect(error.message).toContain('dimensions');
    await failure(client.embeddings.create({ model: 'local/embed', input: 'hello', dimensions: 0 }), BadRequestError);
  });
});

describe('parameters the gateway cannot honour: a 400 naming them, never dropped', () => {
  const chat = (extra: Record<string, unknown>) =>
    client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], ...extra } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);

  it.each([
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['n', { n: 2 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['audio', { audio: { voice: 'alloy', format: 'wav' } }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
    ['prediction', { prediction: { type: 'content', content: 'x' } }],
    ['not_a_parameter', { not_a_parameter: true }],
  ])('chat completions: %s', async (param, extra) => {
    const calls = fx.mock.requests.length;
    const error = await failure(chat(extra), BadRequestError);
    expect(error.error).toMatchObject({ param, type: 'invalid_request_error' });
    expect(error.message).toContain(param);
    expect(fx.mock.requests.length).toBe(calls);
  });

  it('chat completions: image parts reach a vision model as image_url, not dropped', async () => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] });
    const body = fx.mock.requests.at(-1)?.body as { messages: unknown[] };
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }]);
  });

  it('their default values are fine, and what can be forwarded is', async () => {
    fx.mock.script({ kind: 'text', chunks: ['ok'], usage });
    await chat({ logprobs: false, n: 1, modalities: ['text'], presence_penalty: 0, parallel_tool_calls: true, store: false, user: 'u-1', seed: 3 });
    expect(fx.mock.requests.at(-1)?.body).toMatchObject({ user: 'u-1', seed: 3 });
  });

  it('invalid values name the body parameter, not the graph field', async () => {
    const temperature = await failure(chat({ temperature: 5 }), BadRequestError);
    expect(temperature.error).toMatchObject({ param: 'temperature' });
    expect(temperature.message).toMatch(/^400 temperature: /);
    const topP = await failure(client.responses.create({ model: MODEL, input: 'x', top_p: 3 }), BadRequestError);
    expect(topP.error).toMatchObject({ param: 'top_p' });
    const empty = await failure(client.responses.create({ model: MODEL, input: [] }), BadRequestError);
    expect(empty.error).toMatchObject({ param: 'input' });
  });

  it('embeddings: an unknown parameter', async () => {
    const error = await failure(client.embeddings.create({ model: 'local/embed', input: 'x', extra_thing: 1 } as OpenAI.EmbeddingCreateParams), BadRequestError);
    expect((error.error as { param: string }).param).toBe('extra_thing');
  });
});

describe('upstream rejections keep their class, and the SDK (default retries) calls the upstream once', () => {
  let sdk: OpenAI;
  beforeAll(() => {
    // The SDK's defaults: maxRetries 2, honouring x-should-retry.
    sdk = new OpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY });
  });

  it.each([400, 404, 422])('upstream %i → the same status, OpenAI-shaped, one upstream call', async (status) => {
    fx.mock.script({ kind: 'status', status, message: `upstream says ${status}` });
    const calls = fx.mock.requests.length;
    const error = await failure(sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), APIError);
    expect(error.status).toBe(status);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'upstream_rejected' });
    expect(error.message).toContain(`upstream says ${status}`);
    expect(fx.mock.requests.length - calls).toBe(1);
  });

  it.each([401, 403])('upstream %i (the gateway key) → 502 with x-should-retry: false, one upstream call', async (status) => {
    fx.mock.script({ kind: 'status', status, message: `bad key ${UPSTREAM_SECRET}` });
    const calls = fx.mock.requests.length;
    const error = await failure(sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), APIError);
    expect(error.status).toBe(502);
    expect((error.headers as Headers | undefined)?.get('x-should-retry')).toBe('false');
    expect(error.error).toMatchObject({ type: 'api_error', code: 'upstream_rejected' });
    expect(JSON.stringify(error.error)).not.toContain(UPSTREAM_SECRET);
    expect(fx.mock.requests.length - calls).toBe(1);
  });

  it('the same on streams and on /v1/responses', async () => {
    fx.mock.script({ kind: 'status', status: 400, message: 'bad stream' });
    let calls = fx.mock.requests.length;
    const streamed = await failure(sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }), BadRequestError);
    expect(streamed.status).toBe(400);
    expect(fx.mock.requests.length - calls).toBe(1);
    calls = fx.mock.requests.length;
    await failure(sdk.responses.create({ model: MODEL, input: 'x' }), BadRequestError);
    expect(fx.mock.requests.length - calls).toBe(1);
    fx.mock.script({ kind: 'status', status: 401 });
    calls = fx.mock.requests.length;
    const refused = await failure(sdk.responses.create({ model: MODEL, input: 'x', stream: true }), APIError);
    expect(refused.status).toBe(502);
    expect(fx.mock.requests.length - calls).toBe(1);
  });
});
