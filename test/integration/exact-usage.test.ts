import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { anthropicFormat } from '../providers/wire/anthropic-format.js';
import { googleFormat } from '../providers/wire/google-format.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/**
 * Usage is exact wherever the upstream said it: a stream cut short after the upstream reported its
 * input tokens records those (not an estimate), and a completion-cache hit shows the cached answer's
 * token counts, free, while the meter counts no tokens for it.
 */
const KEYS = {
  claude: 'sbk_usage-claude-0123456789abcdef',
  gem: 'sbk_usage-gem-0123456789abcdefgh',
  vllm: 'sbk_usage-vllm-0123456789abcdefg',
  cache: 'sbk_usage-cache-0123456789abcdef',
};
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const USAGE_QUERY = '{ viewer { usage { requests promptTokens completionTokens costUsd } } }';
/** 12 characters: the gateway's estimate would be ceil((12 + 16) / 4) = 7 prompt tokens. */
const PROMPT = 'Tell me more';
const REPORTED_PROMPT_TOKENS = 23;

interface Totals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

let claude: WireMock;
let gem: WireMock;
let oai: WireMock;
let gw: RunningGateway;
/** Requests the running-usage server has seen closed by the gateway. */
let vllmClosed: Promise<void>;
let vllm: Server;

/**
 * An OpenAI-compatible server that reports running usage on every chunk (vLLM's
 * `continuous_usage_stats`), streams two chunks, then holds the stream open.
 */
async function startRunningUsageServer(): Promise<Server> {
  let closed!: () => void;
  vllmClosed = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string, completionTokens: number) =>
        `data: ${JSON.stringify({
          id: 'cmpl-running',
          object: 'chat.completion.chunk',
          model: 'served',
          choices: [{ index: 0, delta: { content }, finish_reason: null }],
          usage: { prompt_tokens: REPORTED_PROMPT_TOKENS, completion_tokens: completionTokens, total_tokens: REPORTED_PROMPT_TOKENS + completionTokens },
        })}\n\n`;
      res.write(chunk('Hel', 1));
      res.write(chunk('lo', 2));
      res.on('close', closed);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  [claude, gem, oai, vllm] = await Promise.all([
    startWireMock(anthropicFormat),
    startWireMock(googleFormat, { frameSeparator: '\r\n\r\n' }),
    startWireMock(openaiFormat),
    startRunningUsageServer(),
  ]);
  const vllmOrigin = `http://127.0.0.1:${(vllm.address() as AddressInfo).port}`;
  gw = await startGateway(`
providers:
  - { id: claude, type: anthropic, baseUrl: "${claude.origin}/v1", apiKey: sk-ant-test }
  - { id: gem, type: google, baseUrl: "${gem.origin}/v1beta", apiKey: gem-test }
  - { id: oai, type: openai, baseUrl: "${oai.origin}/v1", apiKey: sk-test }
  - { id: vllm, type: openai, baseUrl: "${vllmOrigin}/v1" }
models:
  - { provider: vllm, upstream: served }
  - { provider: claude, upstream: claude-haiku-4-5, pricing: { input: 1, output: 5 } }
  - { provider: gem, upstream: gemini-2.5-flash, pricing: { input: 0.3, output: 2.5 } }
  - { provider: oai, upstream: gpt, pricing: { input: 1, output: 2 } }
auth:
  keys:
    - { id: claude-user, secret: "${KEYS.claude}" }
    - { id: gem-user, secret: "${KEYS.gem}" }
    - { id: vllm-user, secret: "${KEYS.vllm}" }
    - { id: cache-user, secret: "${KEYS.cache}" }
`);
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([claude, gem, oai].map((mock) => mock?.close()));
  vllm?.closeAllConnections();
  await new Promise((resolve) => vllm?.close(resolve));
});

function input(model: string, extra: Partial<ChatInput> = {}): ChatInput {
  return { model, messages: [{ role: 'USER', content: PROMPT }], ...extra };
}

async function viewerUsage(key: string): Promise<Totals> {
  const { body } = await postGraphQL(gw.url, USAGE_QUERY, undefined, bearer(key));
  expect(body.errors).toBeUndefined();
  return (body.data as { viewer: { usage: Totals } }).viewer.usage;
}

/** Usage is recorded as the stream is torn down: poll until the request is counted. */
async function usageOnceCounted(key: string, requests: number): Promise<Totals> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const usage = await viewerUsage(key);
    if (usage.requests >= requests || Date.now() > deadline) return usage;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a stream cancelled after the upstream reported its input tokens', () => {
  it.each([
    { name: 'Anthropic (message_start)', model: 'claude/claude-haiku-4-5', mock: () => claude, key: KEYS.claude },
    { name: 'Gemini (partial usageMetadata)', model: 'gem/gemini-2.5-flash', mock: () => gem, key: KEYS.gem },
  ])('$name: records the reported prompt tokens, not an estimate', async ({ model, mock, key }) => {
    mock().script({ kind: 'hang', chunks: ['Hel'], promptTokens: REPORTED_PROMPT_TOKENS });
    const aborts = mock().abortedCount;
    const controller = new AbortController();
    const stream = subscribeSse(gw.url, ChatStreamDocument, { input: input(model) }, { signal: controller.signal, ...bearer(key) });
    const first = await stream.next();
    expect(first.value?.data?.chatStream.delta).toBe('Hel');
    controller.abort();
    await mock().waitForAborts(aborts + 1, 5_000);

    const usage = await usageOnceCounted(key, 1);
    expect(usage.requests).toBe(1);
    expect(usage.promptTokens).toBe(REPORTED_PROMPT_TOKENS);
    // What was streamed after the report is still counted (estimated: at least one token).
    expect(usage.completionTokens).toBeGreaterThanOrEqual(1);
  });
});

describe('a stream cancelled mid-way on an OpenAI-compatible server that reports running usage', () => {
  it('records the last reported counts', async () => {
    const controller = new AbortController();
    const stream = subscribeSse(gw.url, ChatStreamDocument, { input: input('vllm/served') }, { signal: controller.signal, ...bearer(KEYS.vllm) });
    let text = '';
    for await (const result of stream) {
      text += result.data?.chatStream.delta ?? '';
      if (text === 'Hello') break;
    }
    controller.abort();
    await vllmClosed;
    const usage = await usageOnceCounted(KEYS.vllm, 1);
    expect(usage).toMatchObject({ requests: 1, promptTokens: REPORTED_PROMPT_TOKENS, completionTokens: 2 });
  });
});

describe('completion-cache hits', () => {
  it('carry the cached answer token counts, cost nothing, and meter no tokens', async () => {
    const counts = { promptTokens: 9, completionTokens: 4 };
    oai.script({ kind: 'text', chunks: ['Four', '.'], usage: counts });
    const before = oai.requests.length;
    const variables = { input: input('oai/gpt', { temperature: 0 }) };
    const first = await postGraphQL(gw.url, ChatDocument, variables, bearer(KEYS.cache));
    const second = await postGraphQL(gw.url, ChatDocument, variables, bearer(KEYS.cache));
    expect(oai.requests.length - before).toBe(1);
    expect(first.body.data?.chat).toMatchObject({ cached: false, usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13 } });
    expect(second.body.data?.chat).toMatchObject({ cached: true, usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13, costUsd: 0, estimated: false } });

    // The same answer replayed as a stream: its final event carries the counts too.
    const events = [];
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, variables, bearer(KEYS.cache))) events.push(result.data?.chatStream);
    expect(events.at(-1)).toMatchObject({ done: true, cached: true, usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13, costUsd: 0 } });

    // Three requests counted; only the first one's tokens and cost.
    const usage = await usageOnceCounted(KEYS.cache, 3);
    expect(usage).toEqual({ requests: 3, promptTokens: 9, completionTokens: 4, costUsd: (9 * 1 + 4 * 2) / 1_000_000 });
  });
});
