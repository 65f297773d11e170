import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/*
 * The audit trail end to end: one record per completion, to the logs (stdout
 * sink) or to a Redis Stream, with stable fields, matching the usage totals,
 * and without the prompt unless includeContent is on.
 */

const KEY = `sbk_audit-${randomUUID()}`;
const PROMPT = `confidential prompt ${randomUUID()}`;
const bearer = { authorization: `Bearer ${KEY}` };
const RECORD_FIELDS = [
  'type', 'time', 'requestId', 'keyId', 'requested', 'model', 'provider', 'streaming', 'outcome', 'errorCode', 'finishReason',
  'cached', 'attempts', 'promptTokens', 'completionTokens', 'reasoningTokens', 'cachedPromptTokens', 'costUsd', 'latencyMs', 'timeToFirstTokenMs',
].sort();

interface AuditRecord {
  type: string;
  time: string;
  requestId: string;
  keyId: string;
  requested: string;
  model: string | null;
  provider: string | null;
  streaming: boolean;
  outcome: string;
  errorCode: string | null;
  finishReason: string | null;
  cached: boolean;
  attempts: { model: string; provider: string; outcome: string; latencyMs: number; errorCode: string | null }[];
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  messages?: { role: string; content: string | null }[];
}

const gatewayYaml = (extra = '') => `
server: { shutdownGraceMs: 0 }
providers:
  - { id: local, type: local, tokenDelayMs: 0 }
  - { id: slow, type: local, tokenDelayMs: 50 }
auth:
  keys:
    - { id: auditor, secret: "${KEY}", scopes: [chat, models] }
${extra}
`;

const input = (model: string, extra: Partial<ChatInput> = {}): ChatInput => ({ model, messages: [{ role: 'USER', content: PROMPT }], ...extra });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `read` every 50 ms until `done` holds for its value or `timeoutMs` passes; returns the last value. */
async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/** One chat mutation; returns the `x-request-id` the gateway answered with. */
async function chat(gw: RunningGateway, chatInput: ChatInput): Promise<string> {
  const { status, headers, body } = await postGraphQL(gw.url, ChatDocument, { input: chatInput }, { headers: bearer });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const requestId = headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  return requestId as string;
}

/** A whole chatStream over SSE under a request id of our choosing (the gateway keeps a sane caller id). */
async function stream(gw: RunningGateway, chatInput: ChatInput): Promise<string> {
  const requestId = `sse-${randomUUID()}`;
  const events = [];
  for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: chatInput }, { headers: { ...bearer, 'x-request-id': requestId } })) {
    expect(result.errors).toBeUndefined();
    events.push(result.data?.chatStream);
  }
  expect(events.at(-1)?.done).toBe(true);
  return requestId;
}

function auditRecords(gw: RunningGateway): AuditRecord[] {
  return gw.logs
    .map((line) => JSON.parse(line) as { msg?: string; component?: string; audit?: AuditRecord })
    .filter((line) => line.msg === 'completion' && line.audit !== undefined)
    .map((line) => {
      expect(line.component).toBe('audit');
      return line.audit as AuditRecord;
    });
}

async function viewerUsage(gw: RunningGateway) {
  const { body } = await postGraphQL(gw.url, '{ viewer { usage { requests promptTokens completionTokens } } }', undefined, { headers: bearer });
  return (body.data as { viewer: { usage: { requests: number; promptTokens: number; completionTokens: number } } }).viewer.usage;
}

describe('audit to stdout (the logger)', () => {
  let gw: RunningGateway;
  const ids: { chat: string[]; stream: string; cancelled: string } = { chat: [], stream: '', cancelled: '' };

  beforeAll(async () => {
    gw = await startGateway(gatewayYaml());
    ids.chat.push(await chat(gw, input('local/echo')));
    ids.chat.push(await chat(gw, input('local/echo', { messages: [{ role: 'SYSTEM', content: 'be brief' }, { role: 'USER', content: PROMPT }] })));
    ids.chat.push(await chat(gw, input('local/lorem', { maxTokens: 8 })));
    ids.stream = await stream(gw, input('local/echo'));

    // Unknown model: refused while planning, before any completion starts: no record.
    const unknown = await postGraphQL(gw.url, ChatDocument, { input: input('local/no-such-model') }, { headers: bearer });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('MODEL_NOT_FOUND');

    // A stream the client leaves after its first delta: outcome cancelled.
    ids.cancelled = `cancel-${randomUUID()}`;
    const controller = new AbortController();
    const events = subscribeSse(gw.url, ChatStreamDocument, { input: input('slow/lorem', { maxTokens: 200 }) }, {
      signal: controller.signal,
      headers: { ...bearer, 'x-request-id': ids.cancelled },
    });
    const first = await events.next();
    expect(first.value?.data?.chatStream.delta).toBeTruthy();
    controller.abort();
    await events.return(undefined).catch(() => undefined);
    await eventually(() => auditRecords(gw), (records) => records.some((record) => record.requestId === ids.cancelled));
  });

  afterAll(async () => {
    await gw?.stop();
    const text = gw.logs.join('\n');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(PROMPT);
  });

  it('writes one record per completion, with the stable fields and the response header request id', () => {
    const records = auditRecords(gw);
    expect(records).toHaveLength(5);
    expect(records.map((record) => record.requestId).sort()).toEqual([...ids.chat, ids.stream, ids.cancelled].sort());
    expect(records.some((record) => record.requested === 'local/no-such-model')).toBe(false);
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(RECORD_FIELDS);
      expect(record).toMatchObject({ type: 'completion', keyId: 'auditor', cached: false });
      expect(new Date(record.time).toISOString()).toBe(record.time);
      expect(record.latencyMs).toBeGreaterThanOrEqual(0);
      expect(record.attempts).toEqual([{ model: record.model, provider: record.provider, outcome: 'success', latencyMs: expect.any(Number), errorCode: null }]);
    }

    const byId = new Map(records.map((record) => [record.requestId, record]));
    expect(byId.get(ids.chat[0] as string)).toMatchObject({
      requested: 'local/echo',
      model: 'local/echo',
      provider: 'local',
      streaming: false,
      outcome: 'success',
      errorCode: null,
      finishReason: 'stop',
      timeToFirstTokenMs: null,
    });
    expect(byId.get(ids.chat[0] as string)?.promptTokens).toBeGreaterThan(0);
    expect(byId.get(ids.chat[0] as string)?.completionTokens).toBeGreaterThan(0);
    expect(byId.get(ids.chat[2] as string)).toMatchObject({ model: 'local/lorem', outcome: 'success', completionTokens: 8 });
    const streamed = byId.get(ids.stream);
    expect(streamed).toMatchObject({ requested: 'local/echo', streaming: true, outcome: 'success', finishReason: 'stop' });
    expect(streamed?.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(byId.get(ids.cancelled)).toMatchObject({
      requested: 'slow/lorem',
      model: 'slow/lorem',
      provider: 'slow',
      streaming: true,
      outcome: 'cancelled',
      errorCode: null,
      finishReason: null,
    });
  });

  it('adds up to the usage totals the gateway reports', async () => {
    const records = auditRecords(gw);
    const sums = {
      requests: records.length,
      promptTokens: records.reduce((sum, record) => sum + record.promptTokens, 0),
      completionTokens: records.reduce((sum, record) => sum + record.completionTokens, 0),
    };
    const usage = await eventually(() => viewerUsage(gw), (totals) => totals.requests >= sums.requests);
    expect(usage).toEqual(sums);
  });

  it('leaves the prompt out of every log line', () => {
    expect(gw.logs.some((line) => line.includes(PROMPT))).toBe(false);
    expect(auditRecords(gw).some((record) => 'messages' in record)).toBe(false);
  });
});

describe('audit with includeContent', () => {
  it('puts the request messages (role and content) in the record', async () => {
    const gw = await startGateway(gatewayYaml('audit: { includeContent: true }'));
    try {
      const requestId = await chat(gw, input('local/echo', { messages: [{ role: 'SYSTEM', content: 'be brief' }, { role: 'USER', content: PROMPT }] }));
      const records = await eventually(() => auditRecords(gw), (found) => found.length === 1);
      expect(records).toHaveLength(1);
      expect(records[0]?.requestId).toBe(requestId);
      expect(Object.keys(records[0] as AuditRecord).sort()).toEqual([...RECORD_FIELDS, 'messages'].sort());
      expect(records[0]?.messages).toEqual([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: PROMPT },
      ]);
    } finally {
      await gw.stop();
    }
    expect(gw.logs.join('\n')).not.toContain(KEY);
  });
});

describe('audit to a Redis Stream', () => {
  let server: RedisServer;
  let reader: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    reader = new Redis(server.url);
    reader.on('error', () => undefined); // the outage test stops the server under it
  });

  afterAll(async () => {
    await reader?.quit();
    await server?.stop();
  });

  const redisYaml = (prefix: string, extra = '') => gatewayYaml(`redis: { url: "${server.url}", keyPrefix: "${prefix}" }\nlimits: { onStoreFailure: local }\n${extra}`);

  async function entries(prefix: string): Promise<AuditRecord[]> {
    const rows = await reader.xrange(`${prefix}audit`, '-', '+');
    return rows.map(([, fields]) => {
      expect(fields[0]).toBe('record');
      expect(fields).toHaveLength(2);
      return JSON.parse(fields[1] as string) as AuditRecord;
    });
  }

  it('XADDs one JSON record per completion, all written by the time stop() returns', async () => {
    const prefix = `t-${randomUUID()}:`;
    const gw = await startGateway(redisYaml(prefix));
    const ids: string[] = [];
    try {
      for (let index = 0; index < 4; index++) ids.push(await chat(gw, input('local/echo')));
      ids.push(await stream(gw, input('local/lorem', { maxTokens: 5 })));
    } finally {
      await gw.stop();
    }
    const records = await entries(prefix);
    expect(records.map((record) => record.requestId)).toEqual(ids);
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(RECORD_FIELDS);
      expect(record).toMatchObject({ type: 'completion', keyId: 'auditor', outcome: 'success' });
    }
    expect(records.at(-1)).toMatchObject({ streaming: true, model: 'local/lorem', completionTokens: 5 });
    // Nothing went to the logs instead, and neither the prompt nor the key went anywhere.
    expect(auditRecords(gw)).toHaveLength(0);
    const text = gw.logs.join('\n') + JSON.stringify(await reader.xrange(`${prefix}audit`, '-', '+'));
    expect(text).not.toContain(PROMPT);
    expect(text).not.toContain(KEY);
  });

  it('trims the stream to about maxLength', async () => {
    // `MAXLEN ~` trims whole stream nodes only (100 entries by default), so with a
    // small node size the approximate trimming shows at this scale: length stays
    // within maxLength + one node.
    await reader.config('SET', 'stream-node-max-entries', '5');
    const prefix = `t-${randomUUID()}:`;
    const gw = await startGateway(redisYaml(prefix, 'audit: { maxLength: 5 }'));
    const ids: string[] = [];
    try {
      for (let index = 0; index < 30; index++) ids.push(await chat(gw, input('local/echo')));
    } finally {
      await gw.stop();
      await reader.config('SET', 'stream-node-max-entries', '100');
    }
    const length = await reader.xlen(`${prefix}audit`);
    expect(length).toBeGreaterThanOrEqual(5);
    expect(length).toBeLessThanOrEqual(10);
    // The newest records are the ones kept.
    expect((await entries(prefix)).map((record) => record.requestId)).toEqual(ids.slice(-length));
  });

  it('keeps records while Redis is away, says so once, and writes them when it is back', async () => {
    const prefix = `t-${randomUUID()}:`;
    const gw = await startGateway(redisYaml(prefix));
    try {
      await chat(gw, input('local/echo')); // the key is now known to this replica
      await eventually(() => reader.xlen(`${prefix}audit`), (length) => length === 1);
      await server.stop();
      const ids: string[] = [];
      for (let index = 0; index < 3; index++) ids.push(await chat(gw, input('local/echo')));
      await eventually(() => gw.logs.filter((line) => line.includes('audit stream unreachable')), (lines) => lines.length > 0);
      await server.restart(); // empty: nothing is saved
      await reader.ping().catch(() => undefined);
      const length = await eventually(() => reader.xlen(`${prefix}audit`).catch(() => 0), (count) => count === 3, 10_000);
      expect(length).toBe(3);
      expect((await entries(prefix)).map((record) => record.requestId)).toEqual(ids);
      expect(gw.logs.filter((line) => line.includes('audit stream unreachable'))).toHaveLength(1);
      expect(gw.logs.filter((line) => line.includes('audit stream reachable again'))).toHaveLength(1);
    } finally {
      await gw.stop();
    }
  });
});
