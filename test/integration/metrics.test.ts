import { randomBytes } from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { createOperationLabeler } from '../../src/observability/metrics/operation-labels.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/** One sample of the text exposition format: `name{a="b",c="d"} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** The samples of `name` whose labels include all of `labels`. */
function select(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return select(samples, name, labels).reduce((total, sample) => total + sample.value, 0);
}

async function scrape(origin: string): Promise<{ contentType: string | null; text: string; samples: Sample[] }> {
  const response = await fetch(`${origin}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { contentType: response.headers.get('content-type'), text, samples: parseExposition(text) };
}

const OAI = 'oai/gpt-4o-mini';
const BACKUP = 'backup/backup-model';
const CONFIG = `
providers:
  - { id: oai, type: openai, baseUrl: "\${OAI}/v1", apiKey: sk-metrics-oai }
  - { id: backup, type: openai, baseUrl: "\${BACKUP}/v1", apiKey: sk-metrics-backup }
models:
  - { provider: oai, upstream: gpt-4o-mini }
  - { provider: backup, upstream: backup-model, pricing: { input: 1, output: 2 } }
routes:
  - id: resilient
    strategy: fallback
    targets: [{ model: ${OAI} }, { model: ${BACKUP} }]
`;

let oai: WireMock;
let backup: WireMock;
let gw: RunningGateway;
let other: RunningGateway;

beforeAll(async () => {
  [oai, backup] = await Promise.all([startWireMock(openaiFormat), startWireMock(openaiFormat)]);
  const env = { OAI: oai.origin, BACKUP: backup.origin };
  [gw, other] = await Promise.all([startGateway(CONFIG, env), startGateway(CONFIG, env)]);
});

afterAll(async () => {
  await Promise.all([gw?.stop(), other?.stop()]);
  await Promise.all([oai, backup].map((mock) => mock?.close()));
});

function input(model: string): ChatInput {
  return { model, messages: [{ role: 'USER', content: 'Say hi' }] };
}

describe('GET /metrics', () => {
  it('counts completions, tokens, attempts, streams and operations with bounded labels', async () => {
    // Three plain chats and one SSE stream on oai, each reporting different usage.
    const oaiUsages = [
      { promptTokens: 11, completionTokens: 3 },
      { promptTokens: 17, completionTokens: 8 },
      { promptTokens: 23, completionTokens: 1 },
    ];
    for (const usage of oaiUsages) {
      oai.script({ kind: 'text', chunks: ['Hi'], usage });
      const { body } = await postGraphQL(gw.url, ChatDocument, { input: input(OAI) });
      expect(body.errors).toBeUndefined();
    }
    const streamUsage = { promptTokens: 7, completionTokens: 4 };
    oai.script({ kind: 'text', chunks: ['Once', ' upon', ' a time'], usage: streamUsage });
    const events = [];
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input(OAI) })) events.push(result);
    expect(events.every((result) => result.errors === undefined)).toBe(true);
    expect(events.at(-1)?.data?.chatStream.done).toBe(true);

    // A route whose first target fails (503) and whose second answers.
    const backupUsage = { promptTokens: 5, completionTokens: 2 };
    oai.script({ kind: 'status', status: 503, message: 'down for maintenance' });
    backup.script({ kind: 'text', chunks: ['from backup'], usage: backupUsage });
    const fallback = await postGraphQL(gw.url, ChatDocument, { input: input('resilient') });
    expect(fallback.body.errors).toBeUndefined();
    expect(fallback.body.data?.chat.attempts.map((attempt) => attempt.outcome)).toEqual(['FAILED', 'SUCCESS']);

    // A model nobody configured: user input that must not become a label.
    const unknownModel = `nope/${randomBytes(6).toString('hex')}`;
    const unknown = await postGraphQL(gw.url, ChatDocument, { input: input(unknownModel) });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('MODEL_NOT_FOUND');

    // A huge random operation name.
    const hugeName = `Op_${randomBytes(300).toString('hex')}`;
    const huge = await postGraphQL<{ models: unknown[] }, undefined>(gw.url, `query ${hugeName} { models { id } }`);
    expect(huge.body.errors).toBeUndefined();

    const { contentType, text, samples } = await scrape(gw.origin);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');

    // Completions: every oai success (three chats and the stream), the route's answer on backup.
    expect(sum(samples, 'switchboard_completions_total', { model: OAI, outcome: 'success' })).toBe(4);
    expect(sum(samples, 'switchboard_completions_total', { model: OAI, provider: 'oai', streaming: 'true', outcome: 'success', cached: 'false' })).toBe(1);
    expect(sum(samples, 'switchboard_completions_total', { model: BACKUP, provider: 'backup', outcome: 'success' })).toBe(1);
    expect(sum(samples, 'switchboard_completions_total', { outcome: 'failed' })).toBe(0);

    // Tokens: exactly the usage the mock reported.
    const oaiAll = [...oaiUsages, streamUsage];
    const total = (usages: { promptTokens: number; completionTokens: number }[], key: 'promptTokens' | 'completionTokens') =>
      usages.reduce((acc, usage) => acc + usage[key], 0);
    expect(sum(samples, 'switchboard_tokens_total', { model: OAI, direction: 'input' })).toBe(total(oaiAll, 'promptTokens'));
    expect(sum(samples, 'switchboard_tokens_total', { model: OAI, direction: 'output' })).toBe(total(oaiAll, 'completionTokens'));
    expect(sum(samples, 'switchboard_tokens_total', { model: BACKUP, direction: 'input' })).toBe(backupUsage.promptTokens);
    expect(sum(samples, 'switchboard_tokens_total', { model: BACKUP, direction: 'output' })).toBe(backupUsage.completionTokens);
    // Cost: backup is priced at $1 / $2 per million tokens.
    expect(sum(samples, 'switchboard_cost_usd_total', { model: BACKUP })).toBeCloseTo((5 * 1 + 2 * 2) / 1e6, 12);

    // Attempts: the route's failed oai attempt and its successful backup attempt.
    expect(sum(samples, 'switchboard_attempts_total', { model: OAI, provider: 'oai', outcome: 'failed' })).toBe(1);
    expect(sum(samples, 'switchboard_attempts_total', { model: OAI, provider: 'oai', outcome: 'success' })).toBe(4);
    expect(sum(samples, 'switchboard_attempts_total', { model: BACKUP, provider: 'backup', outcome: 'success' })).toBe(1);

    // Histograms: one time-to-first-token sample per stream; one duration sample per completion.
    expect(sum(samples, 'switchboard_time_to_first_token_seconds_count')).toBe(1);
    expect(sum(samples, 'switchboard_time_to_first_token_seconds_count', { model: OAI })).toBe(1);
    expect(sum(samples, 'switchboard_completion_duration_seconds_count')).toBe(5);
    expect(select(samples, 'switchboard_completion_duration_seconds_bucket', { model: OAI, streaming: 'false', le: '+Inf' })[0]?.value).toBe(3);

    // GraphQL operations: the chats succeed, the unknown model fails, the stream is a subscription.
    expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'mutation', operation: 'Chat', outcome: 'ok' })).toBe(4);
    expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'mutation', operation: 'Chat', outcome: 'error' })).toBe(1);
    expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'subscription', operation: 'ChatStream', outcome: 'ok' })).toBe(1);
    expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'query', operation: 'anonymous', outcome: 'ok' })).toBe(1);
    expect(sum(samples, 'switchboard_graphql_operation_duration_seconds_count', { type: 'mutation', outcome: 'error' })).toBe(1);
    expect(sum(samples, 'switchboard_graphql_operation_duration_seconds_count', { type: 'subscription' })).toBe(1);

    // Gauges computed on scrape: every configured model, nothing in flight now.
    for (const model of [OAI, BACKUP]) {
      expect(select(samples, 'switchboard_breaker_state', { model })).toEqual([{ name: 'switchboard_breaker_state', labels: { model }, value: 0 }]);
      expect(select(samples, 'switchboard_target_in_flight', { model })[0]?.value).toBe(0);
    }
    expect(select(samples, 'switchboard_operations_in_flight')[0]?.value).toBe(0);
    expect(select(samples, 'switchboard_rate_limited_total').map((sample) => [sample.labels.source, sample.value])).toEqual(
      expect.arrayContaining([['operation', 0], ['completion', 0]]),
    );
    expect(select(samples, 'switchboard_cache_lookups_total')).toHaveLength(4);

    // Node process metrics are there too.
    expect(select(samples, 'switchboard_process_cpu_user_seconds_total')).toHaveLength(1);

    // Bounded labels: no user input anywhere.
    expect(text).not.toContain(hugeName.slice(0, 40));
    expect(text).not.toContain(unknownModel);
    expect(text).not.toContain('resilient');
    const modelValues = new Set(samples.flatMap((sample) => (sample.labels.model === undefined ? [] : [sample.labels.model])));
    expect([...modelValues].sort()).toEqual([BACKUP, OAI].sort());
  });

  it('keeps each gateway on its own registry', async () => {
    const before = (await scrape(other.origin)).samples;
    expect(sum(before, 'switchboard_completions_total')).toBe(0);
    expect(sum(before, 'switchboard_graphql_operations_total')).toBe(0);

    oai.script({ kind: 'text', chunks: ['Hi'], usage: { promptTokens: 2, completionTokens: 1 } });
    const mainBefore = sum((await scrape(gw.origin)).samples, 'switchboard_completions_total');
    const { body } = await postGraphQL(other.url, ChatDocument, { input: input(OAI) });
    expect(body.errors).toBeUndefined();

    const after = (await scrape(other.origin)).samples;
    expect(sum(after, 'switchboard_completions_total', { model: OAI, outcome: 'success' })).toBe(1);
    expect(sum(after, 'switchboard_tokens_total', { model: OAI, direction: 'input' })).toBe(2);
    expect(sum((await scrape(gw.origin)).samples, 'switchboard_completions_total')).toBe(mainBefore);
  });

  it('counts failures by code and rate-limit refusals, operations and completions apart', async () => {
    const limited = await startGateway(`${CONFIG}\nlimits:\n  fields:\n    Query.models: { max: 1, windowMs: 60000 }\n`, {
      OAI: oai.origin,
      BACKUP: backup.origin,
    });
    try {
      // The field limit refuses the second operation before execution.
      const first = await postGraphQL<{ models: unknown[] }, undefined>(limited.url, 'query Models { models { id } }');
      expect(first.body.errors).toBeUndefined();
      const second = await postGraphQL<{ models: unknown[] }, undefined>(limited.url, 'query Models { models { id } }');
      expect(second.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

      // Every target fails, the last with an upstream 429: the completion fails with RATE_LIMITED.
      oai.script({ kind: 'status', status: 500 });
      backup.script({ kind: 'status', status: 429, message: 'quota' });
      const failed = await postGraphQL(limited.url, ChatDocument, { input: input('resilient') });
      expect(failed.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

      // A stream for an unknown model fails as a subscription.
      const events = [];
      for await (const result of subscribeSse(limited.url, ChatStreamDocument, { input: input('nope/missing') })) events.push(result);
      expect(events.at(-1)?.errors?.[0]?.extensions?.code).toBe('MODEL_NOT_FOUND');

      const { samples } = await scrape(limited.origin);
      expect(sum(samples, 'switchboard_rate_limited_total', { source: 'operation' })).toBe(2);
      expect(sum(samples, 'switchboard_rate_limited_total', { source: 'completion' })).toBe(1);
      expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'query', operation: 'Models', outcome: 'ok' })).toBe(1);
      expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'query', operation: 'Models', outcome: 'error' })).toBe(1);
      expect(sum(samples, 'switchboard_graphql_operations_total', { type: 'subscription', operation: 'ChatStream', outcome: 'error' })).toBe(1);
      expect(sum(samples, 'switchboard_errors_total')).toBe(1);
      expect(sum(samples, 'switchboard_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
      expect(sum(samples, 'switchboard_completions_total', { model: 'none', provider: 'none', outcome: 'failed' })).toBe(1);
      expect(sum(samples, 'switchboard_attempts_total', { model: OAI, outcome: 'failed' })).toBeGreaterThanOrEqual(1);
      expect(sum(samples, 'switchboard_attempts_total', { model: BACKUP, outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });

  it('leaves other methods on /metrics to Yoga', async () => {
    const response = await fetch(`${gw.origin}/metrics`, { method: 'POST', body: '{}' });
    expect(response.status).not.toBe(200);
    await response.body?.cancel();
  });
});

describe('operation name labels', () => {
  it('keeps short identifiers, hides the rest and caps distinct names', () => {
    const label = createOperationLabeler(3);
    const of = (source: string) => label(parse(source));
    expect(of('query A { a }')).toEqual({ type: 'query', operation: 'A' });
    expect(of('{ a }')).toEqual({ type: 'query', operation: 'anonymous' });
    expect(of(`mutation ${'X'.repeat(65)} { a }`)).toEqual({ type: 'mutation', operation: 'anonymous' });
    expect(of('subscription B { a }')).toEqual({ type: 'subscription', operation: 'B' });
    expect(of('query C { a }').operation).toBe('C');
    expect(of('query D { a }').operation).toBe('other');
    // Names seen before the cap keep their label.
    expect(of('query A { a }').operation).toBe('A');
  });
});
