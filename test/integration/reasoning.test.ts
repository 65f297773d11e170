import { print, type FormattedExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ReasoningChatDocument,
  ReasoningChatStreamDocument,
  type ChatInput,
  type ChatMessageInput,
  type ReasoningChatStreamSubscription,
} from '../../schema/generated/graphql.js';
import { createWsClient, postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import type { Scenario } from '../helpers/scenario.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/**
 * Reasoning and detailed usage through the graph, end to end: an OpenAI-compatible upstream
 * that streams `reasoning_content` (as DeepSeek and vLLM do) and reports reasoning and cached
 * tokens, and the built-in `local/think` model, whose signed reasoning proves a round trip.
 */

const MODEL = 'mock/reasoner';
const THINK = 'local/think';
const REASONING = ['The user', ' asks for', ' a sum.', ' 2 + 2', ' is 4.'];
const ANSWER = ['Four', '.'];
// 400 of 1,000 prompt tokens cached; 200 of 300 completion tokens spent reasoning.
const USAGE = { promptTokens: 1_000, completionTokens: 300, reasoningTokens: 200, cachedPromptTokens: 400 };
// USD per million tokens: 600 × 1 + 400 × 0.25 (cached) + 300 × 2 (reasoning is output).
const PRICING = { input: 1, output: 2, cachedInput: 0.25 };
const COST_USD = (600 * 1 + 400 * 0.25 + 300 * 2) / 1_000_000;

type Event = ReasoningChatStreamSubscription['chatStream'];
type Result = FormattedExecutionResult<ReasoningChatStreamSubscription, unknown>;

let mock: WireMock;
let gw: RunningGateway;

beforeAll(async () => {
  mock = await startWireMock(openaiFormat);
  gw = await startGateway(`
providers:
  - { id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: sk-test }
  - { id: local, type: local, tokenDelayMs: 0 }
models:
  - { provider: mock, upstream: reasoner, capabilities: [chat, streaming, reasoning], pricing: ${JSON.stringify(PRICING)} }
`);
});

afterAll(async () => {
  await gw.stop();
  await mock.close();
});

const reasoningAnswer = (): Scenario => ({ kind: 'text', reasoning: { chunks: REASONING }, chunks: ANSWER, usage: USAGE });

function input(model: string, messages: ChatMessageInput[], extra: Partial<ChatInput> = {}): ChatInput {
  return { model, messages, cache: false, ...extra };
}

const ask = (content: string): ChatMessageInput => ({ role: 'USER', content });

const TRANSPORTS = [
  {
    name: 'SSE',
    subscribe: (variables: { input: ChatInput }): AsyncIterable<Result> => subscribeSse(gw.url, ReasoningChatStreamDocument, variables),
  },
  {
    name: 'graphql-ws',
    subscribe: async function* (variables: { input: ChatInput }): AsyncIterable<Result> {
      const client = createWsClient(gw.wsUrl);
      try {
        yield* client.iterate<ReasoningChatStreamSubscription>({ query: print(ReasoningChatStreamDocument), variables });
      } finally {
        await client.dispose();
      }
    },
  },
];

async function streamEvents(subscribe: (typeof TRANSPORTS)[number]['subscribe'], chatInput: ChatInput): Promise<Event[]> {
  const events: Event[] = [];
  for await (const result of subscribe({ input: chatInput })) {
    expect(result.errors).toBeUndefined();
    if (result.data) events.push(result.data.chatStream);
  }
  return events;
}

/** The stream's reasoning, text and signature, and a check of the order: every reasoning delta before the first text delta. */
function assemble(events: Event[]) {
  const firstText = events.findIndex((event) => event.delta !== null);
  const lastReasoning = events.findLastIndex((event) => event.reasoningDelta !== null);
  expect(lastReasoning).toBeGreaterThanOrEqual(0);
  expect(firstText).toBeGreaterThan(lastReasoning);
  // An event carries one kind of delta: reasoning never rides along with text.
  for (const event of events) expect(event.reasoningDelta !== null && event.delta !== null).toBe(false);
  const last = events.at(-1);
  expect(last?.done).toBe(true);
  return {
    reasoning: events.map((event) => event.reasoningDelta ?? '').join(''),
    text: events.map((event) => event.delta ?? '').join(''),
    signature: last?.reasoningSignature ?? null,
    last: last as Event,
  };
}

describe('reasoning from an OpenAI-compatible upstream (reasoning_content)', () => {
  it('chat: the reasoning is on the message, apart from the content, and usage details are priced with pricing.cachedInput', async () => {
    mock.script(reasoningAnswer());
    const { body } = await postGraphQL(gw.url, ReasoningChatDocument, { input: input(MODEL, [ask('What is 2 + 2?')]) });
    expect(body.errors).toBeUndefined();
    const completion = body.data?.chat;
    expect(completion?.message).toMatchObject({ content: 'Four.', reasoning: REASONING.join(''), reasoningSignature: null });
    expect(completion?.usage).toMatchObject({ promptTokens: 1_000, completionTokens: 300, totalTokens: 1_300, reasoningTokens: 200, cachedPromptTokens: 400, estimated: false });
    expect(completion?.usage.costUsd).toBeCloseTo(COST_USD, 12);
  });

  for (const transport of TRANSPORTS) {
    it(`chatStream over ${transport.name}: reasoningDelta events all come before the first delta, and the last event has the usage details`, async () => {
      mock.script(reasoningAnswer());
      const events = await streamEvents(transport.subscribe, input(MODEL, [ask('What is 2 + 2?')]));
      const { reasoning, text, signature, last } = assemble(events);
      expect(reasoning).toBe(REASONING.join(''));
      expect(text).toBe(ANSWER.join(''));
      expect(signature).toBeNull();
      expect(last.usage).toMatchObject({ promptTokens: 1_000, completionTokens: 300, reasoningTokens: 200, cachedPromptTokens: 400, estimated: false });
      expect(last.usage?.costUsd).toBeCloseTo(COST_USD, 12);
    });
  }

  it('a usage without details reads 0 reasoning and cached tokens, priced as before', async () => {
    mock.script({ kind: 'text', chunks: ['plain'], usage: { promptTokens: 10, completionTokens: 5 } });
    const { body } = await postGraphQL(gw.url, ReasoningChatDocument, { input: input(MODEL, [ask('hi')]) });
    expect(body.data?.chat.message.reasoning).toBeNull();
    expect(body.data?.chat.usage).toMatchObject({ reasoningTokens: 0, cachedPromptTokens: 0 });
    expect(body.data?.chat.usage.costUsd).toBeCloseTo((10 * 1 + 5 * 2) / 1_000_000, 12);
  });
});

describe('reasoning and the completion cache', () => {
  it('a cached stream replays the reasoning (before the text) with its signature; a cached chat returns it on the message', async () => {
    const cached = (content: string) => input(THINK, [ask(content)], { cache: true });
    const question = `Is the cache thinking? ${Date.now()}`;
    const [sse] = TRANSPORTS;
    const fresh = assemble(await streamEvents(sse!.subscribe, cached(question)));
    const replayedEvents = await streamEvents(sse!.subscribe, cached(question));
    const replayed = assemble(replayedEvents);
    expect(fresh.last.cached).toBe(false);
    expect(replayed.last.cached).toBe(true);
    expect(fresh.signature).toMatch(/^local:/);
    expect(replayed).toMatchObject({ reasoning: fresh.reasoning, text: fresh.text, signature: fresh.signature });
    expect(replayed.last.usage?.reasoningTokens).toBe(fresh.last.usage?.reasoningTokens);

    const { body } = await postGraphQL(gw.url, ReasoningChatDocument, { input: cached(question) });
    expect(body.data?.chat).toMatchObject({ cached: true, message: { content: fresh.text, reasoning: fresh.reasoning, reasoningSignature: fresh.signature } });
  });
});

describe('sending reasoning back (multi-turn)', () => {
  it('chat: the reasoning and signature of the last turn reach local/think, which says it recalls them', async () => {
    const question = ask('Why is the sky blue?');
    const first = await postGraphQL(gw.url, ReasoningChatDocument, { input: input(THINK, [question]) });
    const turn = first.body.data?.chat.message;
    expect(turn?.reasoning).toContain('Why is the sky blue?');
    expect(turn?.reasoningSignature).toMatch(/^local:/);
    expect(first.body.data?.chat.usage.reasoningTokens).toBeGreaterThan(0);

    const followUp = (reasoning: string) =>
      input(THINK, [question, { role: 'ASSISTANT', content: turn?.content, reasoning, reasoningSignature: turn?.reasoningSignature }, ask('And at sunset?')]);
    const second = await postGraphQL(gw.url, ReasoningChatDocument, { input: followUp(turn?.reasoning as string) });
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data?.chat.message.content).toMatch(/^I recall my earlier reasoning/);

    // The signature covers the text: edited reasoning is noticed, so it was the client's text that arrived.
    const altered = await postGraphQL(gw.url, ReasoningChatDocument, { input: followUp(`${turn?.reasoning} (edited)`) });
    expect(altered.body.data?.chat.message.content).toMatch(/altered/);
  });

  for (const transport of TRANSPORTS) {
    it(`chatStream over ${transport.name}: the streamed reasoning and the last event's signature, sent back, are recalled`, async () => {
      const question = ask('Streams remember?');
      const first = assemble(await streamEvents(transport.subscribe, input(THINK, [question])));
      const back: ChatMessageInput = { role: 'ASSISTANT', content: first.text, reasoning: first.reasoning, reasoningSignature: first.signature };
      const second = assemble(await streamEvents(transport.subscribe, input(THINK, [question, back, ask('Go on')])));
      expect(second.text).toMatch(/^I recall my earlier reasoning/);
    });
  }

  it('refuses reasoning on a message that is not ASSISTANT with BAD_USER_INPUT, before any upstream call', async () => {
    const before = mock.requests.length;
    const cases: [ChatMessageInput, string][] = [
      [{ role: 'USER', content: 'hi', reasoning: 'I think' }, 'input.messages[0].reasoning'],
      [{ role: 'USER', content: 'hi', reasoningSignature: 'sig' }, 'input.messages[0].reasoningSignature'],
      [{ role: 'SYSTEM', content: 'be brief', reasoning: 'I think' }, 'input.messages[0].reasoning'],
    ];
    for (const [message, field] of cases) {
      const { status, body } = await postGraphQL(gw.url, ReasoningChatDocument, { input: input(MODEL, [message]) });
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toContain(field);
    }
    const results: Result[] = [];
    const streamed = input(MODEL, [{ role: 'TOOL', toolCallId: 'c1', content: '{}', reasoning: 'x' }]);
    for await (const result of subscribeSse(gw.url, ReasoningChatStreamDocument, { input: streamed })) results.push(result);
    expect(results.flatMap((result) => result.errors ?? []).map((error) => (error as { extensions?: { code?: string } }).extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(mock.requests.length).toBe(before);
  });
});

/** The value of one Prometheus sample (0 when absent). */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${gw.origin}/metrics`)).text();
  const selector = Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .join(',');
  const line = text.split('\n').find((each) => each.startsWith(`${name}{${selector}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

interface AuditLine {
  msg?: string;
  audit?: { requestId: string; promptTokens: number; completionTokens: number; reasoningTokens: number; cachedPromptTokens: number; costUsd: number | null };
}

describe('usage details on every surface', () => {
  it('counts reasoning and cached prompt tokens in the metrics (apart from tokens_total) and in the audit record', async () => {
    const labels = { model: MODEL };
    const before = {
      reasoning: await metric('switchboard_reasoning_tokens_total', labels),
      cached: await metric('switchboard_cached_prompt_tokens_total', labels),
      output: await metric('switchboard_tokens_total', { ...labels, direction: 'output' }),
    };
    mock.script(reasoningAnswer());
    const { headers, body } = await postGraphQL(gw.url, ReasoningChatDocument, { input: input(MODEL, [ask('Audit me')]) });
    expect(body.errors).toBeUndefined();
    expect(await metric('switchboard_reasoning_tokens_total', labels)).toBe(before.reasoning + 200);
    expect(await metric('switchboard_cached_prompt_tokens_total', labels)).toBe(before.cached + 400);
    // Reasoning is part of the output tokens, counted there once.
    expect(await metric('switchboard_tokens_total', { ...labels, direction: 'output' })).toBe(before.output + 300);

    const requestId = headers.get('x-request-id');
    const audit = gw.logs.map((line) => JSON.parse(line) as AuditLine).find((line) => line.msg === 'completion' && line.audit?.requestId === requestId)?.audit;
    expect(audit).toMatchObject({ promptTokens: 1_000, completionTokens: 300, reasoningTokens: 200, cachedPromptTokens: 400 });
    expect(audit?.costUsd).toBeCloseTo(COST_USD, 12);
  });
});
