import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createWsClient, postGraphQL } from '../helpers/graphql-clients.js';
import { startRedisServer } from '../helpers/redis-server.js';
import type { Scenario } from '../helpers/scenario.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';
import { chatOutcome, STREAM, chatInput, streamOutcome, tally, timeUntil, undocumented, type Outcome } from './outcomes.js';

/*
 * Mixed faults under concurrent load, then a graceful stop under mixed load.
 * resilience.test.ts checks each fault alone (one reset, one stall, one Retry-After); here an
 * upstream stalls, resets, errors, rate-limits and breaks streams at random while chats,
 * SSE streams, a route and /v1 all run at once, and the gateway must give each request a
 * documented outcome and recover. server.test.ts stops a gateway with one stream open; here
 * `gateway.stop()` (what SIGTERM runs) meets streams over SSE, graphql-ws and /v1, chats in
 * flight and new requests arriving during the drain, with usage kept in Redis.
 */

const KEY = 'sbk_chaos-storm-user-0123456789abcdef';
const usage = { promptTokens: 5, completionTokens: 3 };
const CHUNKS = ['a', ' b', ' c'];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

/** A seeded sequence of faults (mulberry32), so a failing run can be replayed. */
function faults(count: number, seed: number): Scenario[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const menu: Scenario[] = [
    { kind: 'text', chunks: CHUNKS, usage },
    { kind: 'text', chunks: CHUNKS, usage, delays: { beforeHeadersMs: 900 } },
    { kind: 'text', chunks: CHUNKS, usage, delays: { beforeFirstChunkMs: 900 } },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 503 },
    { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
    { kind: 'status', status: 400 },
    { kind: 'status', status: 401 },
    { kind: 'reset' },
    { kind: 'hang', chunks: ['a'] },
    { kind: 'malformed', chunks: ['a'] },
    { kind: 'mid-stream-error', chunks: ['a', ' b'], message: 'overloaded' },
  ];
  return Array.from({ length: count }, () => menu[Math.floor(random() * menu.length)] as Scenario);
}

/** A /v1 chat completion; OpenAI-shaped errors keep their class (4xx / named 5xx). */
async function restOutcome(gw: RunningGateway, model: string, stream: boolean): Promise<Outcome> {
  const started = performance.now();
  const what = `/v1 ${stream ? 'stream' : 'chat'} ${model}`;
  try {
    const response = await fetch(`${gw.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    const code = /"code":"([a-z_]+)"/.exec(text)?.[1];
    if (response.status === 500 || code === 'internal_error') return { what, result: `UNDOCUMENTED: ${text.slice(0, 200)}`, status: response.status, ms };
    if (response.status >= 400 || code) return { what, result: code ?? `HTTP ${response.status}`, status: response.status, ms };
    return { what, result: text.includes(stream ? '[DONE]' : '"choices"') ? 'ok' : `UNDOCUMENTED: ${text.slice(0, 200)}`, status: response.status, ms };
  } catch (error: unknown) {
    return { what, result: `UNDOCUMENTED: ${error instanceof Error ? error.message : String(error)}`, ms: performance.now() - started };
  }
}

describe('chaos: upstream faults under load', () => {
  it('stalls, resets, 5xx, 429, broken streams: every request gets a documented outcome; recovery once the upstream heals', async () => {
    const storm = await startWireMock(openaiFormat);
    const backup = await startWireMock(openaiFormat);
    cleanups.push(async () => void (await Promise.all([storm.close(), backup.close()])));
    backup.script({ kind: 'text', chunks: CHUNKS, usage });
    storm.script(...faults(150, 11), { kind: 'text', chunks: CHUNKS, usage });
    const gw = await startGateway(`
server: { shutdownGraceMs: 0 }
providers:
  - { id: storm, type: openai, baseUrl: "${storm.origin}/v1", apiKey: test-key }
  - { id: backup, type: openai, baseUrl: "${backup.origin}/v1", apiKey: test-key }
models:
  - { provider: storm, upstream: gpt, pricing: { input: 1, output: 1 } }
  - { provider: backup, upstream: gpt, pricing: { input: 1, output: 1 } }
routes:
  - { id: safe, strategy: fallback, targets: [{ model: storm/gpt }, { model: backup/gpt }] }
routing:
  retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 50 }
  timeouts: { firstTokenMs: 400, idleMs: 400, totalMs: 1500 }
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 300 }
auth:
  keys:
    - { id: user, secret: "${KEY}", scopes: [chat, models] }
`);
    cleanups.push(() => gw.stop());
    const documented = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_REJECTED', 'RATE_LIMITED']);
    const restCodes = new Set(['upstream_unavailable', 'upstream_timeout', 'upstream_rejected', 'rate_limit_exceeded', 'invalid_request']);
    const kinds = [
      () => chatOutcome(gw.url, KEY, 'storm/gpt', documented),
      () => streamOutcome(gw.url, KEY, 'storm/gpt', CHUNKS.join(''), documented),
      () => chatOutcome(gw.url, KEY, 'safe', documented),
      () => streamOutcome(gw.url, KEY, 'safe', CHUNKS.join(''), documented),
      () => restOutcome(gw, 'storm/gpt', false),
      () => restOutcome(gw, 'storm/gpt', true),
    ];
    // 72 requests, 12 at a time.
    const outcomes: Outcome[] = [];
    for (let wave = 0; wave < 6; wave++) {
      outcomes.push(...(await Promise.all(Array.from({ length: 12 }, (_, index) => (kinds[index % kinds.length] as () => Promise<Outcome>)()))));
    }
    const summary = JSON.stringify(tally(outcomes), null, 1);
    expect(undocumented(outcomes), summary).toEqual([]);
    for (const outcome of outcomes.filter((each) => each.what.startsWith('/v1') && each.result !== 'ok')) {
      expect(restCodes.has(outcome.result), `${outcome.what}: ${outcome.result} (HTTP ${outcome.status})`).toBe(true);
      // A stream that fails after its first chunk ends with an in-band error event (HTTP 200 already sent).
      expect(outcome.what.includes('stream') ? [200, 400, 429, 502, 503, 504] : [400, 429, 502, 503, 504]).toContain(outcome.status);
    }
    // Bounded: totalMs 1.5 s plus a retry's backoff; nothing waits for a stalled upstream forever.
    expect(Math.max(...outcomes.map((outcome) => outcome.ms))).toBeLessThan(4_000);
    expect(outcomes.some((outcome) => outcome.result === 'ok')).toBe(true);

    // The upstream heals: breaker half-opens, a probe succeeds.
    storm.script({ kind: 'text', chunks: CHUNKS, usage });
    const recoveryMs = await timeUntil(async () => (await chatOutcome(gw.url, KEY, 'storm/gpt', documented)).result === 'ok', 5_000, 'a chat once the upstream healed');
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
    // Every completed answer was metered (failed attempts may add requests, never remove them).
    const { body } = await postGraphQL<{ viewer: { usage: { requests: number; completionTokens: number } } }, unknown>(gw.url, '{ viewer { usage { requests completionTokens } } }', undefined, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const completed = outcomes.filter((outcome) => outcome.result === 'ok').length + 1;
    expect(body.data?.viewer.usage.requests).toBeGreaterThanOrEqual(completed);
    expect(body.data?.viewer.usage.completionTokens).toBeGreaterThanOrEqual(completed * usage.completionTokens);
    console.info(`chaos upstream storm: ${outcomes.length} requests ${summary.replace(/\s+/g, ' ')}; recovery ${Math.round(recoveryMs)} ms`);
  });
});

describe('chaos: graceful stop (SIGTERM) under mixed load', () => {
  it('in-flight work finishes or ends with SHUTTING_DOWN, new work is refused, usage is kept, the stop is bounded', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const quick = await startWireMock(openaiFormat);
    const long = await startWireMock(openaiFormat);
    cleanups.push(async () => void (await Promise.all([quick.close(), long.close()])));
    quick.script({ kind: 'text', chunks: CHUNKS, usage, delays: { beforeHeadersMs: 150 } });
    long.script({ kind: 'hang', chunks: ['a'] });
    const yaml = `
server: { shutdownGraceMs: 600 }
providers:
  - { id: quick, type: openai, baseUrl: "${quick.origin}/v1", apiKey: test-key }
  - { id: long, type: openai, baseUrl: "${long.origin}/v1", apiKey: test-key }
models:
  - { provider: quick, upstream: gpt, pricing: { input: 1, output: 1 } }
  - { provider: long, upstream: gpt, pricing: { input: 1, output: 1 } }
redis: { url: "${redis.url}", keyPrefix: "stop-${randomUUID()}:" }
auth:
  keys:
    - { id: user, secret: "${KEY}", scopes: [chat, models] }
`;
    const gw = await startGateway(yaml);
    cleanups.push(() => gw.stop());
    const documented = new Set(['SHUTTING_DOWN']);
    const ws = createWsClient(gw.wsUrl, { authorization: `Bearer ${KEY}` });
    cleanups.push(async () => void (await ws.dispose()));
    const wsOutcome = (model: string) =>
      new Promise<Outcome>((resolve) => {
        const started = performance.now();
        let text = '';
        ws.subscribe<{ chatStream: { delta: string | null } }>(
          { query: STREAM, variables: chatInput(model) },
          {
            next: (value) => void (text += value.data?.chatStream.delta ?? ''),
            error: (error: unknown) => {
              const code = (Array.isArray(error) ? (error[0] as { extensions?: { code?: string } })?.extensions?.code : undefined) ?? (error as { code?: number }).code;
              resolve({ what: `ws ${model}`, result: code === 'SHUTTING_DOWN' || code === 1001 ? 'SHUTTING_DOWN' : `UNDOCUMENTED: ${JSON.stringify(error)}`, ms: performance.now() - started });
            },
            complete: () => resolve({ what: `ws ${model}`, result: text === CHUNKS.join('') ? 'ok' : `UNDOCUMENTED: text "${text}"`, ms: performance.now() - started }),
          },
        );
      });

    const inFlight = [
      ...Array.from({ length: 3 }, () => streamOutcome(gw.url, KEY, 'quick/gpt', CHUNKS.join(''), documented)),
      ...Array.from({ length: 3 }, () => streamOutcome(gw.url, KEY, 'long/gpt', 'a', documented)),
      ...Array.from({ length: 3 }, () => chatOutcome(gw.url, KEY, 'quick/gpt', documented)),
      wsOutcome('quick/gpt'),
      wsOutcome('long/gpt'),
      restOutcome(gw, 'long/gpt', true),
    ];
    await timeUntil(async () => quick.requests.length >= 4 && long.requests.length >= 5, 5_000, 'every request reaching its upstream');
    const stopping = performance.now();
    const stopped = gw.stop();
    // New work during the drain: refused (connection refused, or 503 SHUTTING_DOWN on a kept-alive connection).
    const late = await Promise.all(
      Array.from({ length: 4 }, async (): Promise<Outcome> => {
        const outcome = await chatOutcome(gw.url, KEY, 'quick/gpt', documented);
        return /ECONNREFUSED|fetch failed/.test(outcome.result) ? { ...outcome, result: 'refused' } : outcome;
      }),
    );
    const outcomes = [...(await Promise.all(inFlight)), ...late];
    await stopped;
    const stopMs = performance.now() - stopping;

    expect(undocumented(outcomes), JSON.stringify(tally(outcomes))).toEqual([]);
    expect(tally(outcomes)).toMatchObject({
      'stream quick/gpt → ok': 3,
      'chat quick/gpt → ok': 3,
      'stream long/gpt → SHUTTING_DOWN': 3,
      'ws quick/gpt → ok': 1,
      'ws long/gpt → SHUTTING_DOWN': 1,
      // Its 200 and first chunk were sent: it ends with an in-band error event.
      '/v1 stream long/gpt → shutting_down': 1,
    });
    for (const outcome of late) expect(['refused', 'SHUTTING_DOWN']).toContain(outcome.result);
    // Grace 600 ms, then the rest is cut: the stop itself is bounded.
    expect(stopMs).toBeLessThan(3_000);

    // Usage is kept: the stopped replica flushed it to Redis; a fresh one reads every model call that ran.
    const next = await startGateway(yaml);
    cleanups.push(() => next.stop());
    const { body } = await postGraphQL<{ viewer: { usage: { requests: number; completionTokens: number } } }, unknown>(next.url, '{ viewer { usage { requests completionTokens } } }', undefined, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const finished = outcomes.filter((outcome) => outcome.result === 'ok').length;
    const cut = outcomes.filter((outcome) => /SHUTTING_DOWN|shutting_down/.test(outcome.result) && !late.includes(outcome)).length;
    expect(body.data?.viewer.usage.requests).toBe(finished + cut);
    console.info(`chaos stop: ${JSON.stringify(tally(outcomes))}; stop took ${Math.round(stopMs)} ms`);
  });
});
