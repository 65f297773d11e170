import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { collectWs, createWsClient, postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { anthropicFormat } from '../providers/wire/anthropic-format.js';
import { googleFormat } from '../providers/wire/google-format.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

const SECRETS = ['sk-oai-secret-111', 'sk-ant-secret-222', 'gem-secret-333', 'sk-backup-secret-444'];
const usage = { promptTokens: 12, completionTokens: 5 };

let oai: WireMock;
let claude: WireMock;
let gem: WireMock;
let backup: WireMock;
let gw: RunningGateway;

beforeAll(async () => {
  [oai, claude, gem, backup] = await Promise.all([
    startWireMock(openaiFormat),
    startWireMock(anthropicFormat),
    startWireMock(googleFormat, { frameSeparator: '\r\n\r\n' }),
    startWireMock(openaiFormat),
  ]);
  gw = await startGateway(
    `
providers:
  - { id: oai, type: openai, baseUrl: "\${OAI}/v1", apiKey: "\${OAI_KEY}" }
  - { id: claude, type: anthropic, baseUrl: "\${ANT}/v1", apiKey: ${SECRETS[1]} }
  - { id: gem, type: google, baseUrl: "\${GEM}/v1beta", apiKey: ${SECRETS[2]} }
  - { id: backup, type: openai, baseUrl: "\${BACKUP}/v1", apiKey: ${SECRETS[3]} }
models:
  - { provider: oai, upstream: gpt-4o-mini }
  - { provider: claude, upstream: claude-haiku-4-5 }
  - { provider: gem, upstream: gemini-2.5-flash }
  - { provider: backup, upstream: backup-model, pricing: { input: 1, output: 2 } }
routes:
  - id: resilient
    strategy: fallback
    targets: [{ model: oai/gpt-4o-mini }, { model: backup/backup-model }]
`,
    { OAI: oai.origin, OAI_KEY: SECRETS[0] as string, ANT: claude.origin, GEM: gem.origin, BACKUP: backup.origin },
  );
});

afterAll(async () => {
  await gw.stop();
  await Promise.all([oai, claude, gem, backup].map((mock) => mock.close()));
  const logText = gw.logs.join('\n');
  for (const secret of SECRETS) expect(logText).not.toContain(secret);
});

function input(model: string, extra: Partial<ChatInput> = {}): ChatInput {
  return { model, messages: [{ role: 'USER', content: 'Say hi' }], ...extra };
}

describe.each([
  { model: 'oai/gpt-4o-mini', mock: () => oai, pricing: { input: 0.15, output: 0.6 } },
  { model: 'claude/claude-haiku-4-5', mock: () => claude, pricing: { input: 1, output: 5 } },
  { model: 'gem/gemini-2.5-flash', mock: () => gem, pricing: { input: 0.3, output: 2.5 } },
])('chat through $model', ({ model, mock, pricing }) => {
  it('answers Mutation.chat with usage and cost', async () => {
    mock().script({ kind: 'text', chunks: ['Hi', ' there'], usage });
    const { status, body } = await postGraphQL(gw.url, ChatDocument, { input: input(model) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const chat = body.data?.chat;
    expect(chat?.message.content).toBe('Hi there');
    expect(chat?.message.role).toBe('ASSISTANT');
    expect(chat?.finishReason).toBe('STOP');
    expect(chat?.model).toBe(model);
    expect(chat?.usage).toMatchObject({ promptTokens: 12, completionTokens: 5, totalTokens: 17, estimated: false });
    expect(chat?.usage.costUsd).toBeCloseTo((12 * pricing.input + 5 * pricing.output) / 1e6, 12);
    expect(chat?.attempts).toEqual([expect.objectContaining({ model, outcome: 'SUCCESS', errorCode: null })]);
  });

  it('streams over SSE and over graphql-ws: deltas join, one final done event', async () => {
    const chunks = ['Once', ' upon', ' a', ' time'];
    mock().script({ kind: 'text', chunks, usage });
    const sse = [];
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input(model) })) sse.push(result);

    const client = createWsClient(gw.wsUrl);
    const ws = await collectWs(client, ChatStreamDocument, { input: input(model) });
    await client.dispose();

    for (const results of [sse, ws]) {
      expect(results.every((result) => result.errors === undefined)).toBe(true);
      const events = results.map((result) => result.data?.chatStream);
      expect(events.map((event) => event?.delta ?? '').join('')).toBe('Once upon a time');
      expect(events.filter((event) => event?.done)).toHaveLength(1);
      const last = events.at(-1);
      expect(last).toMatchObject({ done: true, finishReason: 'STOP', delta: null });
      expect(last?.usage).toMatchObject({ promptTokens: 12, completionTokens: 5 });
      expect(events.slice(0, -1).every((event) => event?.usage === null && event?.finishReason === null)).toBe(true);
    }
  });

  it('returns tool calls whole and streamed', async () => {
    const calls = [{ id: 'call_1', name: 'lookup', argumentChunks: ['{"q":', '"x"}'] }];
    mock().script({ kind: 'tool-calls', calls, usage });
    const tools = [{ name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }];
    const { body } = await postGraphQL(gw.url, ChatDocument, { input: input(model, { tools }) });
    expect(body.data?.chat.finishReason).toBe('TOOL_CALLS');
    expect(body.data?.chat.message.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([['lookup', { q: 'x' }]]);

    const pieces = new Map<number, { name: string; args: string }>();
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input(model, { tools }) })) {
      for (const delta of result.data?.chatStream.toolCallDeltas ?? []) {
        const entry = pieces.get(delta.index) ?? { name: '', args: '' };
        entry.name += delta.name ?? '';
        entry.args += delta.argumentsDelta ?? '';
        pieces.set(delta.index, entry);
      }
    }
    expect([...pieces.values()].map((call) => [call.name, JSON.parse(call.args)])).toEqual([['lookup', { q: 'x' }]]);
  });
});

describe('routes and upstream failures', () => {
  it('falls back to the next target on a retryable failure and lists the attempts', async () => {
    oai.script({ kind: 'status', status: 503, message: 'down for maintenance' });
    backup.script({ kind: 'text', chunks: ['from backup'], usage });
    const { body } = await postGraphQL(gw.url, ChatDocument, { input: input('resilient') });
    expect(body.errors).toBeUndefined();
    expect(body.data?.chat.message.content).toBe('from backup');
    expect(body.data?.chat.attempts.map((attempt) => [attempt.model, attempt.outcome, attempt.errorCode])).toEqual([
      ['oai/gpt-4o-mini', 'FAILED', 'UPSTREAM_UNAVAILABLE'],
      ['backup/backup-model', 'SUCCESS', null],
    ]);

    const events = [];
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input('resilient') })) events.push(result);
    expect(events.map((result) => result.data?.chatStream.delta ?? '').join('')).toBe('from backup');
    expect(events.at(-1)?.data?.chatStream.attempts?.map((attempt) => attempt.outcome)).toEqual(['FAILED', 'SUCCESS']);
  });

  it('does not fall back on a non-retryable rejection', async () => {
    oai.script({ kind: 'status', status: 400, message: 'max_tokens is too large' });
    const before = backup.requests.length;
    const { body } = await postGraphQL(gw.url, ChatDocument, { input: input('resilient') });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
    expect(body.errors?.[0]?.message).toContain('max_tokens is too large');
    expect(backup.requests.length).toBe(before);
  });

  it('reports the last error with every attempt when all targets fail', async () => {
    oai.script({ kind: 'status', status: 500 });
    backup.script({ kind: 'status', status: 429, headers: { 'retry-after': '3' }, message: 'quota' });
    const { status, headers, body } = await postGraphQL(gw.url, ChatDocument, { input: input('resilient') });
    const error = body.errors?.[0];
    expect(error?.extensions?.code).toBe('RATE_LIMITED');
    expect(error?.extensions?.retryAfterSeconds).toBe(3);
    expect(error?.extensions?.attempts).toHaveLength(2);
    expect(error?.message).toMatch(/All 2 attempts for "resilient" failed/);
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('3');
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('ends a stream that fails after its first delta with the error, and nothing after it', async () => {
    oai.script({ kind: 'mid-stream-error', chunks: ['Hello', ' wor'], message: 'Overloaded' });
    const before = backup.requests.length;
    const results = [];
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input('resilient') })) results.push(result);
    expect(results.map((result) => result.data?.chatStream?.delta ?? '').join('')).toBe('Hello wor');
    const last = results.at(-1);
    expect(last?.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(results.filter((result) => result.errors)).toHaveLength(1);
    expect(results.some((result) => result.data?.chatStream?.done)).toBe(false);
    expect(backup.requests.length).toBe(before);

    oai.script({ kind: 'mid-stream-error', chunks: ['Hello'], message: 'Overloaded' });
    const client = createWsClient(gw.wsUrl);
    const outcome = await collectWs(client, ChatStreamDocument, { input: input('oai/gpt-4o-mini') }).then(
      (all) => ({ all, error: undefined as unknown }),
      (error: unknown) => ({ all: [], error }),
    );
    await client.dispose();
    const errors = outcome.all.flatMap((result) => result.errors ?? []);
    const codes = outcome.error ? (outcome.error as { extensions?: { code?: string } }[]).map((each) => each.extensions?.code) : errors.map((each) => each.extensions?.code);
    expect(codes).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});

describe('cancellation reaches the upstream', () => {
  it('graphql-ws complete aborts the upstream request at once', async () => {
    oai.script({ kind: 'hang', chunks: ['first'] });
    const before = oai.abortedCount;
    const client = createWsClient(gw.wsUrl);
    const iterator = client.iterate({ query: print(ChatStreamDocument), variables: { input: input('oai/gpt-4o-mini') } });
    const first = await iterator.next();
    expect((first.value as { data: { chatStream: { delta: string } } }).data.chatStream.delta).toBe('first');
    await iterator.return?.(undefined);
    await oai.waitForAborts(before + 1, 1_000);
    await client.dispose();
  });

  it('closing an SSE response aborts the upstream request', async () => {
    oai.script({ kind: 'hang', chunks: ['first'] });
    const before = oai.abortedCount;
    const controller = new AbortController();
    const stream = subscribeSse(gw.url, ChatStreamDocument, { input: input('oai/gpt-4o-mini') }, { signal: controller.signal });
    const first = await stream.next();
    expect(first.value?.data?.chatStream.delta).toBe('first');
    controller.abort();
    await oai.waitForAborts(before + 1, 1_000);
  });

  it('aborting an HTTP mutation aborts the upstream request', async () => {
    oai.script({ kind: 'hang', chunks: [] });
    const before = oai.abortedCount;
    const controller = new AbortController();
    const pending = postGraphQL(gw.url, ChatDocument, { input: input('oai/gpt-4o-mini') }, { signal: controller.signal });
    await new Promise<void>((resolve) => {
      const check = () => (oai.requests.length > 0 && oai.requests.at(-1) ? resolve() : setTimeout(check, 5));
      check();
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
    await oai.waitForAborts(before + 1, 1_000);
  });
});
