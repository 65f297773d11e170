import OpenAI, { APIError, AuthenticationError, BadRequestError, NotFoundError, PermissionDeniedError, RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

const FULL_KEY = 'sk-rest-full-key-0001';
const MODELS_ONLY_KEY = 'sk-rest-models-only-0002';
const LIMITED_KEY = 'sk-rest-limited-key-0003';
const UPSTREAM_SECRET = 'sk-upstream-secret-0004';
const MODEL = 'oai/gpt-4o-mini';
const usage = { promptTokens: 12, completionTokens: 5 };

let mock: WireMock;
let gw: RunningGateway;
let client: OpenAI;

function clientWith(apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${gw.origin}/v1`, apiKey, maxRetries: 0 });
}

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
  gw = await startGateway(
    `
providers:
  - { id: oai, type: openai, baseUrl: "\${OAI}/v1", apiKey: "\${UPSTREAM}" }
  - { id: local, type: local, tokenDelayMs: 0 }
models:
  - { provider: oai, upstream: gpt-4o-mini }
routes:
  - { id: smart, strategy: fallback, targets: [{ model: oai/gpt-4o-mini }] }
auth:
  keys:
    - { id: full, secret: "\${FULL}", scopes: [models, chat, embed] }
    - { id: models-only, secret: "\${MODELS_ONLY}", scopes: [models] }
    - { id: limited, secret: "\${LIMITED}", scopes: [models, chat], limits: { requestsPerMinute: 1 } }
cache:
  responses: { enabled: false }
`,
    { OAI: mock.origin, UPSTREAM: UPSTREAM_SECRET, FULL: FULL_KEY, MODELS_ONLY: MODELS_ONLY_KEY, LIMITED: LIMITED_KEY },
  );
  client = clientWith(FULL_KEY);
});

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
  expect(gw.logs.join('\n')).not.toContain(UPSTREAM_SECRET);
});

async function expectError<T extends APIError>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('OpenAI-compatible REST surface, through the official SDK', () => {
  it('answers a non-streamed chat completion', async () => {
    mock.script({ kind: 'text', chunks: ['Hi', ' there'], usage });
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hi' }], temperature: 0.2, max_tokens: 20, stop: 'END', seed: 7 })
      .withResponse();
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(MODEL);
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hi there' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 5,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    const upstream = mock.requests.at(-1)?.body as Record<string, unknown>;
    expect(upstream).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, seed: 7 });
    expect(upstream.stop).toEqual(['END']);
  });

  it('answers through a route id', async () => {
    mock.script({ kind: 'text', chunks: ['routed'], usage });
    const completion = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]?.message.content).toBe('routed');
  });

  it('streams: the SDK helper assembles and validates the result, usage comes last with include_usage', async () => {
    mock.script({ kind: 'text', chunks: ['Once', ' upon', ' a', ' time'], usage });
    const stream = client.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'Tell a story' }], stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Once upon a time');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.model).toBe(MODEL);
    expect(final.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBe(17);
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices.length === 1)).toBe(true);
  });

  it('streams without usage unless asked', async () => {
    mock.script({ kind: 'text', chunks: ['a', 'b'], usage });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('ab');
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !chunk.usage)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
    { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  ];
  const toolScenario = {
    kind: 'tool-calls' as const,
    calls: [
      { id: 'call_1', name: 'get_weather', argumentChunks: ['{"city":', '"Paris"}'] },
      { id: 'call_2', name: 'get_weather', argumentChunks: ['{"city":"Rome"}'] },
    ],
    usage,
  };

  it('returns tool calls (non-stream) and forwards tools, tool_choice and tool messages', async () => {
    mock.script(toolScenario);
    const completion = await client.chat.completions.create({
      model: MODEL,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: 'sunny' },
      ],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ]);
    const upstream = mock.requests.at(-1)?.body as { tools: unknown[]; tool_choice: unknown; messages: { role: string; tool_call_id?: string }[] };
    expect(upstream.tools).toHaveLength(1);
    expect(upstream.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(upstream.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_0' });
  });

  it('streams tool calls that the SDK helper assembles', async () => {
    mock.script(toolScenario);
    const stream = client.chat.completions.stream({ model: MODEL, tools, messages: [{ role: 'user', content: 'Weather?' }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && [call.id, call.function.name, call.function.arguments])).toEqual([
      ['call_1', 'get_weather', '{"city":"Paris"}'],
      ['call_2', 'get_weather', '{"city":"Rome"}'],
    ]);
  });

  it('lists chat and embedding models and routes', async () => {
    const ids: Record<string, string> = {};
    for await (const model of client.models.list()) ids[model.id] = model.owned_by;
    expect(ids).toMatchObject({ [MODEL]: 'oai', 'local/echo': 'local', 'local/embed': 'local', smart: 'switchboard' });
  });

  it('embeds with local/embed, as floats and as the SDK default (base64)', async () => {
    const asFloats = await client.embeddings.create({ model: 'local/embed', input: ['hello world', 'the quick brown fox'], encoding_format: 'float' });
    expect(asFloats.object).toBe('list');
    expect(asFloats.model).toBe('local/embed');
    expect(asFloats.data.map((item) => item.index)).toEqual([0, 1]);
    expect(asFloats.data[0]?.embedding.length).toBeGreaterThan(0);
    expect(asFloats.usage.prompt_tokens).toBeGreaterThan(0);
    expect(asFloats.usage.total_tokens).toBe(asFloats.usage.prompt_tokens);
    const byDefault = await client.embeddings.create({ model: 'local/embed', input: 'hello world' });
    expect(byDefault.data).toHaveLength(1);
    const expected = asFloats.data[0]?.embedding ?? [];
    const decoded = byDefault.data[0]?.embedding ?? [];
    expect(decoded).toHaveLength(expected.length);
    decoded.forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 5));
  });

  describe('errors map to the SDK classes', () => {
    it('401 AuthenticationError for a bad key', async () => {
      const error = await expectError(clientWith('sk-not-a-real-key-123456').models.list(), AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.code).toBe('invalid_api_key');
      expect(error.headers?.get('x-request-id')).toBeTruthy();
    });

    it('403 PermissionDeniedError for a key without the scope', async () => {
      const models = clientWith(MODELS_ONLY_KEY);
      expect((await models.models.list()).data.length).toBeGreaterThan(0);
      const error = await expectError(models.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), PermissionDeniedError);
      expect(error.type).toBe('permission_error');
      await expectError(models.embeddings.create({ model: 'local/embed', input: 'x' }), PermissionDeniedError);
    });

    it('404 NotFoundError for an unknown model', async () => {
      const error = await expectError(client.chat.completions.create({ model: 'nope/nothing', messages: [{ role: 'user', content: 'x' }] }), NotFoundError);
      expect(error.code).toBe('model_not_found');
      await expectError(client.chat.completions.create({ model: 'nope/nothing', messages: [{ role: 'user', content: 'x' }], stream: true }), NotFoundError);
    });

    it('400 BadRequestError for empty messages and bad parameters', async () => {
      const error = await expectError(client.chat.completions.create({ model: MODEL, messages: [] }), BadRequestError);
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toContain('messages');
      await expectError(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 5 }), BadRequestError);
      await expectError(client.embeddings.create({ model: 'local/embed', input: '' }), BadRequestError);
    });

    it('429 RateLimitError with Retry-After for a key limited to 1 rpm', async () => {
      const limited = clientWith(LIMITED_KEY);
      await limited.chat.completions.create({ model: 'local/echo', messages: [{ role: 'user', content: 'one' }] });
      const error = await expectError(limited.chat.completions.create({ model: 'local/echo', messages: [{ role: 'user', content: 'two' }] }), RateLimitError);
      expect(error.status).toBe(429);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(error.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
    });

    it('413 for a body over server.maxBodyBytes', async () => {
      const error = await expectError(
        client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(gw.gateway.config.server.maxBodyBytes + 10) }] }),
        APIError,
      );
      expect(error.status).toBe(413);
    });

    it('masks upstream failures as api_error without leaking the upstream body', async () => {
      mock.script({ kind: 'status', status: 500, message: 'upstream broke' });
      const error = await expectError(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), APIError);
      expect(error.status).toBe(503);
      expect(error.type).toBe('api_error');
      expect(JSON.stringify(error.error)).not.toContain(UPSTREAM_SECRET);
    });

    it('a stream that fails after its first chunk ends with an SSE error event', async () => {
      mock.script({ kind: 'mid-stream-error', chunks: ['partial'], message: 'upstream broke' });
      const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
      const seen: string[] = [];
      const error = await (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(seen.join('')).toBe('partial');
      expect(error).toBeInstanceOf(APIError);
    });
  });

  describe('raw HTTP', () => {
    it('echoes a sane x-request-id and answers bad JSON and unknown paths OpenAI-shaped', async () => {
      const bad = await fetch(`${gw.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FULL_KEY}`, 'content-type': 'application/json', 'x-request-id': 'req-rest-123' },
        body: '{"model": ',
      });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('x-request-id')).toBe('req-rest-123');
      expect(await bad.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'invalid_request', param: null } });
      const unknown = await fetch(`${gw.origin}/v1/nothing`, { headers: { authorization: `Bearer ${FULL_KEY}` } });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('x-request-id')).toBeTruthy();
      expect(((await unknown.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
      const wrongMethod = await fetch(`${gw.origin}/v1/models`, { method: 'DELETE', headers: { 'x-api-key': FULL_KEY } });
      expect(wrongMethod.status).toBe(405);
    });

    it('accepts x-api-key, and decides streaming from the body even with Accept: application/json', async () => {
      mock.script({ kind: 'text', chunks: ['s1', 's2'], usage });
      const response = await fetch(`${gw.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'x-api-key': FULL_KEY, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const text = await response.text();
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    });
  });

  it('counts REST usage in GraphQL viewer.usage', async () => {
    const read = async () => {
      const { body } = await postGraphQL(gw.url, '{ viewer { usage { requests } } }', undefined, { headers: { authorization: `Bearer ${FULL_KEY}` } });
      return (body.data as { viewer: { usage: { requests: number } } }).viewer.usage.requests;
    };
    const before = await read();
    mock.script({ kind: 'text', chunks: ['counted'], usage });
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    await expect.poll(read).toBe(before + 1);
  });

  it('aborting a stream aborts the upstream request', async () => {
    const aborted = mock.abortedCount;
    mock.script({ kind: 'hang', chunks: ['first'] });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: controller.signal });
    const seen: string[] = [];
    await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.delta.content ?? '');
        if (seen.join('') === 'first') controller.abort();
      }
    })().catch(() => undefined);
    expect(seen.join('')).toBe('first');
    await mock.waitForAborts(aborted + 1);
  });
});
