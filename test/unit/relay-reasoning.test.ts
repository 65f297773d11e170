import { describe, expect, it } from 'vitest';
import { createPrincipal } from '../../src/auth/principal.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { ChatStreamPart, Provider } from '../../src/providers/contract.js';
import { createRoutePlanner } from '../../src/routing/plan-routes.js';
import { createHealthRegistry } from '../../src/routing/target-health.js';
import { createCatalog } from '../../src/routing/catalog.js';
import { createChatService } from '../../src/services/chat-service.js';
import type { ChatStreamEvent } from '../../src/services/chat-types.js';
import { createLimitsService } from '../../src/services/limits-service.js';
import { createUsageMeter } from '../../src/services/usage-meter.js';
import { createMemoryStores } from '../../src/stores/memory/create-memory-stores.js';
import type { CancelSignal } from '../../src/providers/cancel-signal.js';

/**
 * The stream relay with reasoning parts, driven part by part: the provider's stream waits on
 * deferreds the test resolves, so what is buffered when (and so what may be merged) is exact.
 */

const MODEL = 'fake/thinker';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** The chat service from the parts the gateway wires together, over `stream` as the provider's stream. */
function serviceOver(stream: (signal: CancelSignal) => AsyncIterable<ChatStreamPart>) {
  const config = parseConfig(
    `providers: [{ id: fake, type: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: sk-unused }]\nmodels: [{ provider: fake, upstream: thinker, pricing: { input: 1, output: 2 } }]\n`,
    'test config',
    {},
  );
  const provider: Provider = { id: 'fake', type: 'openai', chat: () => Promise.reject(new Error('not used')), stream: (_request, signal) => stream(signal) };
  const providers = new Map([['fake', provider]]);
  const health = createHealthRegistry(config.routing);
  const planner = createRoutePlanner({ catalog: createCatalog(config, providers), routing: config.routing, health });
  const stores = createMemoryStores();
  const usage = createUsageMeter({ store: stores.usage, onError: () => undefined });
  const limits = createLimitsService({ rateLimits: stores.rateLimits, budgets: stores.budgets, budgetPeriod: config.auth.budgetPeriod, onSettleError: () => undefined });
  const service = createChatService({ planner, health, usage, limits });
  const principal = createPrincipal({ kind: 'anonymous', keyId: 'anonymous', scopes: new Set(['chat']), models: [], limits: config.auth.anonymousLimits });
  const call = { principal, requestId: 'relay-reasoning', signal: new AbortController().signal };
  return { events: () => service.stream({ model: MODEL, messages: [{ role: 'user', content: 'think' }] }, call), usage };
}

/** What a test compares: the content of each event. */
const contentOf = (event: ChatStreamEvent) => ({ reasoningDelta: event.reasoningDelta, delta: event.delta, done: event.done });

describe('relayStream with reasoning parts', () => {
  it('relays reasoning as events of its own, merged only with reasoning, before the text; the signature (last wins) on the final event', async () => {
    const burst = deferred();
    const { events } = serviceOver(async function* () {
      yield { type: 'metadata', id: 'r1' };
      yield { type: 'reasoning-delta', text: 'First, ' };
      await burst.promise;
      // One burst: reasoning, two signature updates, then text. Reasoning and text must not merge.
      yield { type: 'reasoning-delta', text: 'add ' };
      yield { type: 'reasoning-delta', text: 'them.' };
      yield { type: 'reasoning-signature', signature: 'sig-partial' };
      yield { type: 'reasoning-signature', signature: 'sig-whole' };
      yield { type: 'text-delta', text: 'Four' };
      yield { type: 'text-delta', text: '.' };
      yield { type: 'finish', finishReason: 'stop' };
      yield { type: 'usage', usage: { promptTokens: 5, completionTokens: 9, reasoningTokens: 6 } };
    });
    const seen: ChatStreamEvent[] = [];
    for await (const event of events()) {
      seen.push(event);
      // The first reasoning delta goes out alone, before the rest is even sent.
      if (seen.length === 1) burst.resolve();
    }
    expect(seen.map(contentOf)).toEqual([
      { reasoningDelta: 'First, ', delta: null, done: false },
      { reasoningDelta: 'add them.', delta: null, done: false },
      { reasoningDelta: null, delta: 'Four.', done: false },
      { reasoningDelta: null, delta: null, done: true },
    ]);
    expect(seen.slice(0, -1).every((event) => event.reasoningSignature === null)).toBe(true);
    const last = seen.at(-1);
    expect(last?.reasoningSignature).toBe('sig-whole');
    expect(last?.usage).toMatchObject({ completionTokens: 9, reasoningTokens: 6, costUsd: (5 * 1 + 9 * 2) / 1_000_000 });
  });

  it('counts streamed reasoning in the completion tokens it estimates for a stream cut short', async () => {
    const { events, usage } = serviceOver(async function* (signal) {
      yield { type: 'reasoning-delta', text: 'x'.repeat(40) };
      yield { type: 'text-delta', text: 'ok' };
      // Then silence until the consumer leaves (the relay aborts the upstream).
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    });
    const seen: ChatStreamEvent[] = [];
    for await (const event of events()) {
      seen.push(event);
      if (event.delta !== null) break;
    }
    expect(seen.map(contentOf)).toEqual([
      { reasoningDelta: 'x'.repeat(40), delta: null, done: false },
      { reasoningDelta: null, delta: 'ok', done: false },
    ]);
    // 42 characters streamed, reasoning included: ceil(42 / 4) tokens.
    expect(usage.totals().get(MODEL)).toMatchObject({ requests: 1, completionTokens: 11 });
  });
});
