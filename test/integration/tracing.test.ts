import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/create-logger.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createTracing } from '../../src/observability/tracing/create-tracing.js';
import { wantsOtlpTraces } from '../../src/observability/tracing/create-tracer-provider.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

const usage = { promptTokens: 12, completionTokens: 5 };

const CONFIG = `
providers:
  - { id: primary, type: openai, baseUrl: "\${PRIMARY}/v1", apiKey: sk-primary }
  - { id: backup, type: openai, baseUrl: "\${BACKUP}/v1", apiKey: sk-backup }
models:
  - { provider: primary, upstream: gpt-4o-mini }
  - { provider: backup, upstream: backup-model, pricing: { input: 1, output: 2 } }
routes:
  - id: resilient
    strategy: fallback
    targets: [{ model: primary/gpt-4o-mini }, { model: backup/backup-model }]
`;

/** Like `startGateway`, with a tracer provider. */
async function startTracedGateway(env: Record<string, string>, tracerProvider?: BasicTracerProvider): Promise<{ gateway: Gateway; url: string }> {
  const config = parseConfig(CONFIG, 'test config', env);
  const logger = createLogger({ level: 'silent', destination: { write: () => undefined } });
  const gateway = await createGateway({ config, logger, ...(tracerProvider ? { tracerProvider } : {}) });
  return { gateway, url: await gateway.listen(0, '127.0.0.1') };
}

const input: ChatInput = { model: 'resilient', temperature: 0.5, topP: 0.9, maxTokens: 64, messages: [{ role: 'USER', content: 'Say hi' }] };

function ms(time: [number, number]): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

/** The SDK anchors each span's clock on a millisecond wall-clock start: compare across spans within 1 ms. */
const CLOCK_SLACK_MS = 1;

let primary: WireMock;
let backup: WireMock;

beforeAll(async () => {
  [primary, backup] = await Promise.all([startWireMock(openaiFormat), startWireMock(openaiFormat)]);
});

afterAll(async () => {
  await Promise.all([primary, backup].map((mock) => mock.close()));
});

describe('tracing with a tracer provider', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let gw: { gateway: Gateway; url: string };

  beforeAll(async () => {
    gw = await startTracedGateway({ PRIMARY: primary.origin, BACKUP: backup.origin }, provider);
  });

  afterAll(async () => {
    await gw.gateway.stop();
    await provider.shutdown();
  });

  /** The finished spans of the one trace whose root operation span has this name. */
  async function traceOf(rootName: string, count: number): Promise<{ root: ReadableSpan; spans: ReadableSpan[] }> {
    return vi.waitFor(
      () => {
        const root = exporter.getFinishedSpans().find((span) => span.name === rootName);
        if (!root) throw new Error(`no ${rootName} span yet`);
        const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === root.spanContext().traceId);
        if (spans.length < count) throw new Error(`${spans.length} of ${count} spans`);
        return { root, spans };
      },
      { timeout: 2_000, interval: 10 },
    );
  }

  function childrenOf(parent: ReadableSpan, spans: ReadableSpan[]): ReadableSpan[] {
    return spans
      .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
      .sort((a, b) => ms(a.startTime) - ms(b.startTime));
  }

  function expectChatTree(root: ReadableSpan, spans: ReadableSpan[], streaming: boolean): ReadableSpan {
    expect(spans).toHaveLength(4);
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.status.code).not.toBe(SpanStatusCode.ERROR);

    const [chat, ...others] = childrenOf(root, spans);
    expect(others).toHaveLength(0);
    expect(chat?.name).toBe('chat resilient');
    expect(chat?.kind).toBe(SpanKind.CLIENT);
    expect(chat?.status.code).toBe(SpanStatusCode.OK);
    expect(chat?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'resilient',
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.model': 'backup-model',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.usage.input_tokens': usage.promptTokens,
      'gen_ai.usage.output_tokens': usage.completionTokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'switchboard.cached': false,
      'switchboard.streaming': streaming,
      'switchboard.outcome': 'success',
    });
    expect(chat?.attributes['switchboard.cost_usd']).toBeCloseTo((12 * 1 + 5 * 2) / 1e6, 12);
    expect(chat?.attributes['switchboard.request_id']).toEqual(expect.any(String));

    const attempts = childrenOf(chat as ReadableSpan, spans);
    expect(attempts.map((span) => [span.name, span.status.code, span.attributes['switchboard.attempt.outcome']])).toEqual([
      ['chat gpt-4o-mini', SpanStatusCode.ERROR, 'failed'],
      ['chat backup-model', SpanStatusCode.OK, 'success'],
    ]);
    expect(attempts[0]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'switchboard.attempt.error_code': 'UPSTREAM_UNAVAILABLE',
    });
    expect(attempts[1]?.attributes['gen_ai.request.model']).toBe('backup-model');
    expect(attempts[1]?.attributes['switchboard.attempt.error_code']).toBeUndefined();
    // Children start and end within their parents (spans are exported as they end).
    const endOrder = exporter.getFinishedSpans().map((span) => span.spanContext().spanId);
    for (const [child, parent] of [[chat, root], ...attempts.map((attempt) => [attempt, chat])] as [ReadableSpan, ReadableSpan][]) {
      expect(ms(child.startTime)).toBeGreaterThanOrEqual(ms(parent.startTime) - CLOCK_SLACK_MS);
      expect(ms(child.endTime)).toBeLessThanOrEqual(ms(parent.endTime) + CLOCK_SLACK_MS);
      expect(endOrder.indexOf(child.spanContext().spanId)).toBeLessThan(endOrder.indexOf(parent.spanContext().spanId));
    }
    return chat as ReadableSpan;
  }

  it('traces Mutation.chat: operation span → chat span → one span per attempt', async () => {
    exporter.reset();
    primary.script({ kind: 'status', status: 503, message: 'down for maintenance' });
    backup.script({ kind: 'text', chunks: ['from backup'], usage });
    const { body } = await postGraphQL(gw.url, ChatDocument, { input });
    expect(body.errors).toBeUndefined();
    expect(body.data?.chat.message.content).toBe('from backup');

    const { root, spans } = await traceOf('graphql.mutation Chat', 4);
    expect(root.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'Chat' });
    const chat = expectChatTree(root, spans, false);
    expect(chat.attributes['switchboard.time_to_first_token_ms']).toBeUndefined();
  });

  const CHUNKS = ['from', ' backup', ' in', ' many', ' small', ' pieces'];

  it('traces Subscription.chatStream over SSE; the chat span ends with the stream', async () => {
    exporter.reset();
    primary.script({ kind: 'status', status: 503, message: 'down for maintenance' });
    backup.script({ kind: 'text', chunks: CHUNKS, usage });
    const events = [];
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input })) events.push(result);
    expect(events.map((result) => result.data?.chatStream.delta ?? '').join('')).toBe(CHUNKS.join(''));

    const { root, spans } = await traceOf('graphql.subscription ChatStream', 4);
    expect(root.attributes).toMatchObject({ 'graphql.operation.type': 'subscription', 'graphql.operation.name': 'ChatStream' });
    const chat = expectChatTree(root, spans, true);
    const ttft = chat.attributes['switchboard.time_to_first_token_ms'];
    expect(ttft).toEqual(expect.any(Number));
    expect(ttft as number).toBeGreaterThan(0);
    expect(ms(chat.duration)).toBeGreaterThanOrEqual(ttft as number);
    // The answering attempt ends at the first token; the chat span only once the
    // stream is over, after the mock's remaining chunks (each ≥ 1 ms apart).
    const answering = childrenOf(chat, spans).at(-1) as ReadableSpan;
    expect(ms(chat.endTime) - ms(answering.endTime)).toBeGreaterThanOrEqual(CHUNKS.length - 1 - CLOCK_SLACK_MS);
  });

  it('ends the spans of a stream the client leaves', async () => {
    exporter.reset();
    primary.script({ kind: 'hang', chunks: ['never', ' ends'] });
    const controller = new AbortController();
    const events = [];
    const streaming = (async () => {
      for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: { ...input, model: 'primary/gpt-4o-mini' } }, { signal: controller.signal })) {
        events.push(result);
        if (events.length === 1) controller.abort();
      }
    })();
    await expect(streaming).rejects.toThrow();

    const { root, spans } = await traceOf('graphql.subscription ChatStream', 3);
    const [chat] = childrenOf(root, spans);
    expect(chat?.attributes['switchboard.outcome']).toBe('cancelled');
    expect(chat?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(childrenOf(chat as ReadableSpan, spans).map((span) => span.status.code)).toEqual([SpanStatusCode.OK]);
  });

  it('does not mark the operation of a mutation the client leaves as failed', async () => {
    exporter.reset();
    primary.script({ kind: 'text', chunks: ['late'], usage, delays: { beforeHeadersMs: 1_500 } });
    const controller = new AbortController();
    const answer = postGraphQL(gw.url, ChatDocument, { input: { ...input, model: 'primary/gpt-4o-mini' } }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    await expect(answer).rejects.toThrow();

    const { root, spans } = await traceOf('graphql.mutation Chat', 3);
    const [chat] = childrenOf(root, spans);
    expect(chat?.attributes['switchboard.outcome']).toBe('cancelled');
    expect(root.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(root.attributes['graphql.error.codes']).toBeUndefined();
    expect(root.attributes['graphql.cancelled']).toBe(true);
  });

  it('records reasoning and cached prompt tokens on the chat span, under the GenAI registry names, only when reported', async () => {
    exporter.reset();
    backup.script({ kind: 'text', reasoning: { chunks: ['Think', 'ing.'] }, chunks: ['ok'], usage: { promptTokens: 12, completionTokens: 5, reasoningTokens: 3, cachedPromptTokens: 8 } });
    const { body } = await postGraphQL(gw.url, ChatDocument, { input: { ...input, model: 'backup/backup-model' } });
    expect(body.errors).toBeUndefined();
    const { root, spans } = await traceOf('graphql.mutation Chat', 3);
    const [chat] = childrenOf(root, spans);
    expect(chat?.attributes).toMatchObject({ 'gen_ai.usage.reasoning.output_tokens': 3, 'gen_ai.usage.cache_read.input_tokens': 8 });

    exporter.reset();
    backup.script({ kind: 'text', chunks: ['ok'], usage });
    await postGraphQL(gw.url, ChatDocument, { input: { ...input, model: 'backup/backup-model' } });
    const plain = await traceOf('graphql.mutation Chat', 3);
    const [plainChat] = childrenOf(plain.root, plain.spans);
    expect(plainChat?.attributes['gen_ai.usage.reasoning.output_tokens']).toBeUndefined();
    expect(plainChat?.attributes['gen_ai.usage.cache_read.input_tokens']).toBeUndefined();
  });

  it('marks the spans of a failed completion with its error code', async () => {
    exporter.reset();
    primary.script({ kind: 'status', status: 503 });
    backup.script({ kind: 'status', status: 503 });
    const { body } = await postGraphQL(gw.url, ChatDocument, { input });
    const code = body.errors?.[0]?.extensions?.code;
    expect(code).toEqual(expect.any(String));

    const { root, spans } = await traceOf('graphql.mutation Chat', 4);
    expect(root.status).toMatchObject({ code: SpanStatusCode.ERROR, message: code });
    expect(root.attributes['graphql.error.codes']).toEqual([code]);
    const [chat] = childrenOf(root, spans);
    expect(chat?.status.code).toBe(SpanStatusCode.ERROR);
    expect(chat?.attributes['error.type']).toBe(code);
    expect(chat?.attributes['switchboard.outcome']).toBe('failed');
    expect(childrenOf(chat as ReadableSpan, spans).map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
  });
});

describe('tracing without a tracer provider', () => {
  it('installs nothing', () => {
    expect(createTracing({})).toEqual({ observer: undefined, plugin: undefined });
  });

  it('starts no spans, even with a global tracer provider registered', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    const gw = await startTracedGateway({ PRIMARY: primary.origin, BACKUP: backup.origin });
    try {
      primary.script({ kind: 'status', status: 503 });
      backup.script({ kind: 'text', chunks: ['untraced'], usage });
      const { body } = await postGraphQL(gw.url, ChatDocument, { input });
      expect(body.data?.chat.message.content).toBe('untraced');
      for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input })) expect(result.errors).toBeUndefined();
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await gw.gateway.stop();
      trace.disable();
      await provider.shutdown();
    }
  });

  it('exports over OTLP only when the OTEL_* variables ask for it', () => {
    expect(wantsOtlpTraces({})).toBe(false);
    expect(wantsOtlpTraces({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(wantsOtlpTraces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(wantsOtlpTraces({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(wantsOtlpTraces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(wantsOtlpTraces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });
});
