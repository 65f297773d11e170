import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { print, type FormattedExecutionResult } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  ChatStreamDocument,
  RoutesDocument,
  type ChatInput,
  type ChatMutation,
  type ChatStreamSubscription,
} from '../../schema/generated/graphql.js';
import { parseSse } from '../../src/providers/http/parse-sse.js';
import type { GatewayServices } from '../../src/schema/context.js';
import type { UsageTotals } from '../../src/services/usage-meter.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import type { Scenario } from '../helpers/scenario.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/*
 * Resilience of the routing engine, end to end: the real gateway on port 0 in
 * front of real HTTP mocks of an OpenAI-compatible upstream. Every provider
 * `<name>` below serves one model, `<name>/m`.
 */

const usage = { promptTokens: 7, completionTokens: 3 };
const text = (chunks: string[] = ['ok'], delays?: { beforeHeadersMs?: number; beforeFirstChunkMs?: number }): Scenario =>
  delays ? { kind: 'text', chunks, usage, delays } : { kind: 'text', chunks, usage };
const status = (code: number, headers?: Record<string, string>): Scenario =>
  headers ? { kind: 'status', status: code, headers } : { kind: 'status', status: code };

interface Rig<N extends string> {
  gw: RunningGateway;
  mocks: Record<N, WireMock>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

/**
 * One mock upstream per name, one gateway whose providers point at them, and
 * `config` (models, routes …) appended. Stopped after the test.
 */
async function rig<N extends string>(names: readonly N[], config: string, options: { shutdownGraceMs?: number } = {}): Promise<Rig<N>> {
  const started = await Promise.all(names.map(async (name) => [name, await startWireMock(openaiFormat)] as const));
  const mocks = Object.fromEntries(started) as Record<N, WireMock>;
  const providers = names.map((name) => `  - { id: ${name}, type: openai, baseUrl: "\${UP_${name.toUpperCase()}}/v1", apiKey: test-key }`);
  const env = Object.fromEntries(names.map((name) => [`UP_${name.toUpperCase()}`, mocks[name].origin]));
  let gw: RunningGateway;
  try {
    // No shutdown grace by default: a test that leaves a stream open must not hold the next one for 10 s.
    const grace = options.shutdownGraceMs ?? 0;
    gw = await startGateway(`server: { shutdownGraceMs: ${grace} }\nproviders:\n${providers.join('\n')}\n${config}`, env);
  } catch (error: unknown) {
    await Promise.all(Object.values<WireMock>(mocks).map((mock) => mock.close()));
    throw error;
  }
  cleanups.push(async () => {
    await gw.stop();
    await Promise.all(Object.values<WireMock>(mocks).map((mock) => mock.close()));
  });
  return { gw, mocks };
}

function input(model: string): ChatInput {
  return { model, messages: [{ role: 'USER', content: 'Say hi' }] };
}

type Completion = ChatMutation['chat'];
type AttemptRow = [model: string, outcome: string, errorCode: string | null | undefined];
const rows = (attempts: readonly { model: string; outcome: string; errorCode?: string | null }[] | null | undefined): AttemptRow[] =>
  (attempts ?? []).map((attempt) => [attempt.model, attempt.outcome, attempt.errorCode]);

/** `Mutation.chat` that must succeed. */
async function chatOk(gw: RunningGateway, model: string): Promise<Completion> {
  const { body } = await postGraphQL(gw.url, ChatDocument, { input: input(model) });
  expect(body.errors).toBeUndefined();
  const chat = body.data?.chat;
  if (!chat) throw new Error(`no chat result: ${JSON.stringify(body)}`);
  return chat;
}

/** Raw attempts as carried by an error's `extensions.attempts` (internal, lower-case outcomes). */
type RawAttempt = { model: string; outcome: string; errorCode?: string };
const rawAttempts = (extensions: Record<string, unknown> | undefined): RawAttempt[] => (extensions?.attempts as RawAttempt[] | undefined) ?? [];

interface Health {
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  latencyMs: number | null;
  errorRate: number;
  inFlight: number;
}
const HEALTH_QUERY = 'query Health($id: ID!) { model(id: $id) { health { state latencyMs errorRate inFlight } } }';

async function healthOf(gw: RunningGateway, model: string): Promise<Health> {
  const { body } = await postGraphQL<{ model: { health: Health } | null }, { id: string }>(gw.url, HEALTH_QUERY, { id: model });
  expect(body.errors).toBeUndefined();
  const health = body.data?.model?.health;
  if (!health) throw new Error(`no health for ${model}`);
  return health;
}

/** The gateway's usage meter, reached through the Yoga context (the services are the context). */
async function usageOf(gw: RunningGateway, model: string): Promise<UsageTotals> {
  const context = (await gw.gateway.yoga.getEnveloped({ request: new Request('http://test.invalid/graphql') }).contextFactory()) as unknown as GatewayServices;
  return { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedPromptTokens: 0, costUsd: 0, ...context.usage.totals().get(model) };
}

/** Polls a condition (a mock or gateway observation), failing after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type StreamResult = FormattedExecutionResult<ChatStreamSubscription>;

/**
 * Every SSE result of one `chatStream`, with a guard: after `guardMs` the client
 * gives up (so a gateway that never ends the stream fails the test instead of hanging it).
 */
async function collectSse(gw: RunningGateway, model: string, guardMs = 3_000) {
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(new Error('test guard: the stream did not end')), guardMs);
  const results: StreamResult[] = [];
  let gaveUp = false;
  try {
    for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input: input(model) }, { signal: controller.signal })) {
      results.push(result);
    }
  } catch (error: unknown) {
    if (!controller.signal.aborted) throw error;
    gaveUp = true;
  } finally {
    clearTimeout(guard);
  }
  const events = results.map((result) => result.data?.chatStream);
  return {
    results,
    gaveUp,
    text: events.map((event) => event?.delta ?? '').join(''),
    errors: results.flatMap((result) => result.errors ?? []),
    last: events.at(-1),
    doneCount: events.filter((event) => event?.done).length,
  };
}

/** `chatStream` over SSE like `subscribeSse`, but through the given client pool. */
async function* openSse(url: string, chatInput: ChatInput, signal: AbortSignal, dispatcher: Agent): AsyncGenerator<StreamResult> {
  const response = await undiciFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: print(ChatStreamDocument), variables: { input: chatInput } }),
    signal,
    dispatcher,
  });
  if (!response.body) throw new Error(`no SSE body (HTTP ${response.status})`);
  for await (const event of parseSse(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (event.event === 'complete') return;
    if (event.event === 'next') yield JSON.parse(event.data) as StreamResult;
  }
}

/** A full GC when the runtime allows one (global.gc, or V8's flag switched on at run time). */
function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed();
  try {
    setFlagsFromString('--expose_gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // No GC available: the heap bound then also absorbs uncollected garbage.
  }
}

const FALLBACK_ROUTE = `
models:
  - { provider: primary, upstream: m }
  - { provider: backup, upstream: m }
routes:
  - id: r
    strategy: fallback
    targets: [{ model: primary/m }, { model: backup/m }]
`;

describe('circuit breakers', () => {
  it('opens after consecutive failures, skips the target, then half-opens after the cool-down and closes on a good probe', async () => {
    const { gw, mocks } = await rig(
      ['primary', 'backup'],
      `
models:
  - { provider: primary, upstream: m, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1500 } }
  - { provider: backup, upstream: m }
routes:
  - id: r
    strategy: fallback
    targets: [{ model: primary/m }, { model: backup/m }]
`,
    );
    const { primary, backup } = mocks;
    primary.script(status(503));
    backup.script(text(['from backup']));

    const completions: Completion[] = [];
    let openedBy = 0;
    for (let i = 0; i < 10; i++) {
      completions.push(await chatOk(gw, 'r'));
      // The third failure opens the breaker before its answer returns.
      if (i === 2) openedBy = performance.now();
    }
    expect(completions.map((chat) => chat.model)).toEqual(Array(10).fill('backup/m'));
    expect(completions.every((chat) => chat.message.content === 'from backup')).toBe(true);
    expect(primary.requests).toHaveLength(3);
    for (const chat of completions.slice(0, 3)) {
      expect(rows(chat.attempts)).toEqual([
        ['primary/m', 'FAILED', 'UPSTREAM_UNAVAILABLE'],
        ['backup/m', 'SUCCESS', null],
      ]);
    }
    for (const chat of completions.slice(3)) {
      expect(rows(chat.attempts)).toEqual([
        ['primary/m', 'SKIPPED', null],
        ['backup/m', 'SUCCESS', null],
      ]);
      expect(chat.attempts[0]?.latencyMs).toBe(0);
    }
    expect((await healthOf(gw, 'primary/m')).state).toBe('OPEN');
    const routes = await postGraphQL(gw.url, RoutesDocument);
    const targets = routes.body.data?.routes.find((route) => route.id === 'r')?.targets;
    expect(targets?.map((target) => [target.model, target.health.state])).toEqual([
      ['primary/m', 'OPEN'],
      ['backup/m', 'CLOSED'],
    ]);

    // The cool-down is real time (the breaker reads the wall clock): wait it out.
    const coolDownLeft = openedBy + 1_500 + 10 - performance.now();
    if (coolDownLeft > 0) await new Promise((resolve) => setTimeout(resolve, coolDownLeft));

    // The probe: slow enough to observe HALF_OPEN while it is in flight.
    primary.script(text(['from primary'], { beforeHeadersMs: 150 }), text(['from primary']));
    const probe = chatOk(gw, 'r');
    await until(() => primary.requests.length === 4, 1_000, 'the probe to reach primary');
    expect((await healthOf(gw, 'primary/m')).state).toBe('HALF_OPEN');
    const probed = await probe;
    expect(probed.model).toBe('primary/m');
    expect(probed.message.content).toBe('from primary');
    expect(rows(probed.attempts)).toEqual([['primary/m', 'SUCCESS', null]]);
    expect((await healthOf(gw, 'primary/m')).state).toBe('CLOSED');

    const after = [await chatOk(gw, 'r'), await chatOk(gw, 'r'), await chatOk(gw, 'r')];
    expect(after.map((chat) => chat.model)).toEqual(['primary/m', 'primary/m', 'primary/m']);
    expect(primary.requests).toHaveLength(7);
    expect(backup.requests).toHaveLength(10);
  });

  it('fails fast with UPSTREAM_UNAVAILABLE and SKIPPED attempts when every breaker is open', async () => {
    const { gw, mocks } = await rig(
      ['primary', 'backup'],
      `
models:
  - { provider: primary, upstream: m, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60000 } }
  - { provider: backup, upstream: m, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60000 } }
routes:
  - id: r
    strategy: fallback
    targets: [{ model: primary/m }, { model: backup/m }]
`,
    );
    mocks.primary.script(status(503));
    mocks.backup.script(status(503));

    const first = await postGraphQL(gw.url, ChatDocument, { input: input('r') });
    expect(first.body.data).toBeNull();
    expect(first.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(rawAttempts(first.body.errors?.[0]?.extensions).map((attempt) => [attempt.model, attempt.outcome])).toEqual([
      ['primary/m', 'failed'],
      ['backup/m', 'failed'],
    ]);
    expect(await healthOf(gw, 'primary/m')).toMatchObject({ state: 'OPEN' });
    expect(await healthOf(gw, 'backup/m')).toMatchObject({ state: 'OPEN' });

    const started = performance.now();
    const second = await postGraphQL(gw.url, ChatDocument, { input: input('r') });
    const elapsed = performance.now() - started;
    const error = second.body.errors?.[0];
    expect(second.body.data).toBeNull();
    expect(error?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(rawAttempts(error?.extensions).map((attempt) => [attempt.model, attempt.outcome])).toEqual([
      ['primary/m', 'skipped'],
      ['backup/m', 'skipped'],
    ]);
    expect(error?.message).toMatch(/circuit breaker/i);
    expect(elapsed).toBeLessThan(250);
    expect(mocks.primary.requests).toHaveLength(1);
    expect(mocks.backup.requests).toHaveLength(1);
  });
});

describe('retries', () => {
  it('honours Retry-After before retrying the same target', async () => {
    const { gw, mocks } = await rig(['primary'], `models:\n  - { provider: primary, upstream: m, retry: { attempts: 1 } }\n`);
    mocks.primary.script(status(429, { 'retry-after': '1' }), text(['after the wait']));
    const chat = await chatOk(gw, 'primary/m');
    expect(chat.message.content).toBe('after the wait');
    expect(rows(chat.attempts)).toEqual([
      ['primary/m', 'FAILED', 'RATE_LIMITED'],
      ['primary/m', 'SUCCESS', null],
    ]);
    const [first, second] = mocks.primary.requests;
    expect(mocks.primary.requests).toHaveLength(2);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(1_000);
    expect(gap).toBeLessThan(3_000);
  });

  it('moves on to the next target at once when Retry-After exceeds maxRetryAfterMs', async () => {
    const { gw, mocks } = await rig(
      ['primary', 'backup'],
      `
models:
  - { provider: primary, upstream: m }
  - { provider: backup, upstream: m }
routes:
  - id: r
    strategy: fallback
    # One retry allowed: only the maxRetryAfterMs cap (default 10 s) stops a 30 s wait.
    retry: { attempts: 1 }
    targets: [{ model: primary/m }, { model: backup/m }]
`,
    );
    mocks.primary.script(status(429, { 'retry-after': '30' }));
    mocks.backup.script(text(['from backup']));
    const started = performance.now();
    const chat = await chatOk(gw, 'r');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(chat.model).toBe('backup/m');
    expect(rows(chat.attempts)).toEqual([
      ['primary/m', 'FAILED', 'RATE_LIMITED'],
      ['backup/m', 'SUCCESS', null],
    ]);
    expect(mocks.primary.requests).toHaveLength(1);
  });

  it('backs off exponentially (bounded by the ceilings) without Retry-After', async () => {
    const { gw, mocks } = await rig(
      ['primary'],
      `models:\n  - { provider: primary, upstream: m, retry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 200 } }\n`,
    );
    mocks.primary.script(status(503), status(503), text(['third time lucky']));
    const chat = await chatOk(gw, 'primary/m');
    expect(chat.message.content).toBe('third time lucky');
    expect(rows(chat.attempts)).toEqual([
      ['primary/m', 'FAILED', 'UPSTREAM_UNAVAILABLE'],
      ['primary/m', 'FAILED', 'UPSTREAM_UNAVAILABLE'],
      ['primary/m', 'SUCCESS', null],
    ]);
    const at = mocks.primary.requests.map((request) => request.at);
    expect(at).toHaveLength(3);
    // Full jitter: retry n waits in [0, min(maxDelayMs, initialDelayMs * 2^n)]; allow 60 ms for the round trips.
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeLessThan(50 + 60);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeLessThan(100 + 60);
  });

  it('treats a connection reset as retryable and falls back', async () => {
    const { gw, mocks } = await rig(['primary', 'backup'], FALLBACK_ROUTE);
    mocks.primary.script({ kind: 'reset' });
    mocks.backup.script(text(['from backup']));
    const chat = await chatOk(gw, 'r');
    expect(chat.message.content).toBe('from backup');
    expect(rows(chat.attempts)).toEqual([
      ['primary/m', 'FAILED', 'UPSTREAM_UNAVAILABLE'],
      ['backup/m', 'SUCCESS', null],
    ]);
    expect(mocks.primary.requests).toHaveLength(1);
  });

  it('never retries nor falls back on a non-retryable 400, even with retries configured', async () => {
    const { gw, mocks } = await rig(
      ['primary', 'backup'],
      `
models:
  - { provider: primary, upstream: m, retry: { attempts: 3, initialDelayMs: 1 } }
  - { provider: backup, upstream: m }
routes:
  - id: r
    strategy: fallback
    retry: { attempts: 3, initialDelayMs: 1 }
    targets: [{ model: primary/m }, { model: backup/m }]
`,
    );
    mocks.primary.script(status(400));
    for (const model of ['primary/m', 'r']) {
      const before = mocks.primary.requests.length;
      const { body } = await postGraphQL(gw.url, ChatDocument, { input: input(model) });
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
      expect(rawAttempts(body.errors?.[0]?.extensions)).toHaveLength(1);
      expect(mocks.primary.requests.length - before).toBe(1);
    }
    expect(mocks.backup.requests).toHaveLength(0);
    // The caller's mistake says nothing about the target's health.
    expect(await healthOf(gw, 'primary/m')).toMatchObject({ state: 'CLOSED', errorRate: 0 });
  });
});

describe('timeouts', () => {
  it('falls back when the first token does not come within firstTokenMs, and aborts the slow upstream', async () => {
    const { gw, mocks } = await rig(
      ['primary', 'backup'],
      `
models:
  - { provider: primary, upstream: m }
  - { provider: backup, upstream: m }
routes:
  - id: r
    strategy: fallback
    timeouts: { firstTokenMs: 150 }
    targets: [{ model: primary/m }, { model: backup/m }]
`,
    );
    mocks.primary.script(text(['too late'], { beforeFirstChunkMs: 2_000 }));
    mocks.backup.script(text(['from', ' backup']));
    const abortsBefore = mocks.primary.abortedCount;
    const started = performance.now();
    const stream = await collectSse(gw, 'r');
    expect(stream.gaveUp).toBe(false);
    expect(stream.errors).toEqual([]);
    expect(stream.text).toBe('from backup');
    expect(stream.doneCount).toBe(1);
    expect(stream.last?.model).toBe('backup/m');
    expect(rows(stream.last?.attempts)).toEqual([
      ['primary/m', 'TIMED_OUT', 'UPSTREAM_TIMEOUT'],
      ['backup/m', 'SUCCESS', null],
    ]);
    const timedOut = stream.last?.attempts?.[0]?.latencyMs ?? 0;
    expect(timedOut).toBeGreaterThanOrEqual(140);
    expect(timedOut).toBeLessThan(1_000);
    expect(performance.now() - started).toBeLessThan(1_500);
    await mocks.primary.waitForAborts(abortsBefore + 1, 1_000);
  });

  // Regression: the idle limit must apply from the first part on, even when it is shorter
  // than the first-token limit the watchdog's timer was armed for.
  it('ends a stream that stalls mid-answer with UPSTREAM_TIMEOUT (idleMs), without fallback, and meters the partial usage', async () => {
    const { gw, mocks } = await rig(
      ['primary', 'backup'],
      `
models:
  - { provider: primary, upstream: m }
  - { provider: backup, upstream: m }
routes:
  - id: r
    strategy: fallback
    timeouts: { idleMs: 150 }
    targets: [{ model: primary/m }, { model: backup/m }]
`,
    );
    mocks.primary.script({ kind: 'hang', chunks: ['Hello', ' wor'] });
    const usageBefore = await usageOf(gw, 'primary/m');
    const abortsBefore = mocks.primary.abortedCount;

    const stream = await collectSse(gw, 'r', 2_000);
    expect(stream.gaveUp).toBe(false);
    expect(stream.text).toBe('Hello wor');
    expect(stream.errors.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(stream.results.at(-1)?.errors).toHaveLength(1);
    expect(stream.doneCount).toBe(0);
    expect(mocks.backup.requests).toHaveLength(0);
    await mocks.primary.waitForAborts(abortsBefore + 1, 1_000);

    const usageAfter = await usageOf(gw, 'primary/m');
    expect(usageAfter.requests - usageBefore.requests).toBe(1);
    expect(usageAfter.completionTokens - usageBefore.completionTokens).toBeGreaterThan(0);
  });

  it('ends a non-streaming chat with UPSTREAM_TIMEOUT at totalMs', async () => {
    const { gw, mocks } = await rig(['primary'], `models:\n  - { provider: primary, upstream: m, timeouts: { totalMs: 200 } }\n`);
    mocks.primary.script(text(['too late'], { beforeHeadersMs: 2_000 }));
    const abortsBefore = mocks.primary.abortedCount;
    const started = performance.now();
    const { body } = await postGraphQL(gw.url, ChatDocument, { input: input('primary/m') });
    const elapsed = performance.now() - started;
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(rawAttempts(body.errors?.[0]?.extensions).map((attempt) => [attempt.outcome, attempt.errorCode])).toEqual([
      ['timed_out', 'UPSTREAM_TIMEOUT'],
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
    await mocks.primary.waitForAborts(abortsBefore + 1, 1_000);
  });
});

describe('selection strategies through the gateway', () => {
  it('weighted 3:1 sends about three quarters of the traffic to the heavier target', async () => {
    const { gw, mocks } = await rig(
      ['heavy', 'light'],
      `
models:
  - { provider: heavy, upstream: m }
  - { provider: light, upstream: m }
routes:
  - id: w
    strategy: weighted
    targets: [{ model: heavy/m, weight: 3 }, { model: light/m, weight: 1 }]
`,
    );
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const chat = await chatOk(gw, 'w');
      counts.set(chat.model, (counts.get(chat.model) ?? 0) + 1);
    }
    const heavy = counts.get('heavy/m') ?? 0;
    expect(heavy + (counts.get('light/m') ?? 0)).toBe(400);
    expect(mocks.heavy.requests).toHaveLength(heavy);
    expect(mocks.light.requests).toHaveLength(400 - heavy);
    // ±3.2 standard deviations of Binomial(400, 0.75) around 0.75.
    expect(heavy / 400).toBeGreaterThanOrEqual(0.68);
    expect(heavy / 400).toBeLessThanOrEqual(0.82);
  });

  it('least-latency moves traffic to the faster target, and back when the latencies swap', async () => {
    const { gw, mocks } = await rig(
      ['slow', 'fast'],
      `
models:
  - { provider: slow, upstream: m }
  - { provider: fast, upstream: m }
routes:
  - id: ll
    strategy: least-latency
    targets: [{ model: slow/m }, { model: fast/m }]
`,
    );
    const DELAY = { beforeHeadersMs: 40 };
    mocks.slow.script(text(['slow'], DELAY));
    mocks.fast.script(text(['fast']));
    const pick = async () => (await chatOk(gw, 'll')).model;
    const share = (models: string[], model: string) => models.filter((each) => each === model).length / models.length;

    for (let i = 0; i < 40; i++) await pick();
    const measured: string[] = [];
    for (let i = 0; i < 40; i++) measured.push(await pick());
    // With 10 % exploration about 90 % go to the fast target; 70 % still fails if traffic does not move.
    expect(share(measured, 'fast/m')).toBeGreaterThanOrEqual(0.7);

    mocks.slow.script(text(['slow'])); // now fast
    mocks.fast.script(text(['fast'], DELAY)); // now slow
    const swapped: string[] = [];
    for (let i = 0; i < 120; i++) swapped.push(await pick());
    expect(share(swapped.slice(-40), 'slow/m')).toBeGreaterThanOrEqual(0.7);
  });
});

describe('cancellation at scale', () => {
  it('100 concurrent streams cancelled at once abort upstream and leak nothing', async () => {
    // A real grace period: stop() below must not wait for requests the gateway failed to end.
    const { gw, mocks } = await rig(['primary'], `models:\n  - { provider: primary, upstream: m }\n`, { shutdownGraceMs: 5_000 });
    const { primary } = mocks;
    primary.script({ kind: 'hang', chunks: ['x'] });
    // Warm up once (lazy schema parts, agents), so the baseline is not flattered by first-use allocations.
    await collectSse(gw, 'primary/m', 100);
    await until(async () => (await healthOf(gw, 'primary/m')).inFlight === 0, 1_000, 'the warm-up stream to settle');

    collectGarbage();
    const resourcesBefore = process.getActiveResourcesInfo().length;
    const heapBefore = process.memoryUsage().heapUsed;
    const abortsBefore = primary.abortedCount;

    // The streams get their own client pool, closed afterwards: idle client sockets (the test's,
    // not the gateway's) must not count as a leak.
    const client = new Agent({ connections: 200 });
    const controllers = Array.from({ length: 100 }, () => new AbortController());
    const streams = controllers.map((controller) => openSse(gw.url, input('primary/m'), controller.signal, client));
    const firsts = await Promise.all(streams.map((stream) => stream.next()));
    expect(firsts.map((first) => first.value?.data?.chatStream.delta)).toEqual(Array(100).fill('x'));
    expect((await healthOf(gw, 'primary/m')).inFlight).toBe(100);

    for (const controller of controllers) controller.abort();
    await primary.waitForAborts(abortsBefore + 100, 1_000);
    await Promise.allSettled(streams.map((stream) => stream.return(undefined)));
    await client.close();

    await until(async () => (await healthOf(gw, 'primary/m')).inFlight === 0, 1_000, 'inFlight to return to 0');
    let resourcesAfter = process.getActiveResourcesInfo().length;
    await until(
      () => (resourcesAfter = process.getActiveResourcesInfo().length) <= resourcesBefore + 5,
      1_000,
      'active resources to return to the baseline',
    ).catch(() => undefined);
    expect(resourcesAfter).toBeLessThanOrEqual(resourcesBefore + 5);

    collectGarbage();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(heapGrowth).toBeLessThan(20 * 1024 * 1024);

    // Every cancelled request was ended: the graceful stop has nothing to wait for.
    const stopping = performance.now();
    await gw.stop();
    expect(performance.now() - stopping).toBeLessThan(1_000);
  });
});
