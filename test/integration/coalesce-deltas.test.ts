import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print, type FormattedExecutionResult } from 'graphql';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, type ChatInput, type ChatStreamSubscription } from '../../schema/generated/graphql.js';
import { createWsClient, postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { createPrincipal } from '../../src/auth/principal.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Provider } from '../../src/providers/contract.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import { createRoutePlanner } from '../../src/routing/plan-routes.js';
import { createHealthRegistry } from '../../src/routing/target-health.js';
import { createCatalog } from '../../src/routing/catalog.js';
import { createChatService } from '../../src/services/chat-service.js';
import { createLimitsService } from '../../src/services/limits-service.js';
import { createUsageMeter } from '../../src/services/usage-meter.js';
import { createMemoryStores } from '../../src/stores/memory/create-memory-stores.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/**
 * Delta coalescing in the stream relay: deltas the upstream sent in one burst
 * (already buffered when the relay reads) go out as one event; deltas that arrive
 * spaced in time go out one by one, and the first is never held back.
 *
 * The upstream here is a real HTTP server speaking OpenAI SSE whose writes the
 * test controls exactly (the shared wire mock paces every frame 1 ms apart).
 */

const MODEL = 'oai/gpt-4o-mini';
const usage = { promptTokens: 7, completionTokens: 3 };
const SEP = '\n\n';

type Respond = (res: ServerResponse, model: string) => Promise<void>;
type Result = FormattedExecutionResult<ChatStreamSubscription, unknown>;
type Event = ChatStreamSubscription['chatStream'];

let respond: Respond;
let upstream: Server;
let upstreamPort: number;
let gw: RunningGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      void respond(res, body.model);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  gw = await startGateway(gatewayYaml());
});

afterAll(async () => {
  await gw.stop();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function gatewayYaml(): string {
  return `
providers: [{ id: oai, type: openai, baseUrl: "http://127.0.0.1:${upstreamPort}/v1", apiKey: sk-test }]
models: [{ provider: oai, upstream: gpt-4o-mini }]
`;
}

function input(extra: Partial<ChatInput> = {}): ChatInput {
  return { model: MODEL, messages: [{ role: 'USER', content: 'Count' }], ...extra };
}

/** `count` distinct words, e.g. " w0 w1 …": their concatenation is exact only if none is lost, doubled or reordered. */
function words(count: number): string[] {
  return Array.from({ length: count }, (_, index) => ` w${index}`);
}

/** The full SSE body of a text answer, as one string (one socket write). */
function wholeAnswer(chunks: string[], model: string): string {
  const frames = [...openaiFormat.streamFrames({ kind: 'text', chunks, usage }, model), ...openaiFormat.terminator()];
  return frames.map((frame) => frame + SEP).join('');
}

const TRANSPORTS = [
  {
    name: 'SSE',
    subscribe: (variables: { input: ChatInput }): AsyncIterable<Result> => subscribeSse(gw.url, ChatStreamDocument, variables),
  },
  {
    name: 'graphql-ws',
    subscribe: async function* (variables: { input: ChatInput }): AsyncIterable<Result> {
      const client = createWsClient(gw.wsUrl);
      try {
        yield* client.iterate<ChatStreamSubscription>({ query: print(ChatStreamDocument), variables });
      } finally {
        await client.dispose();
      }
    },
  },
];

/** Every result of a subscription; an error the transport raises (graphql-ws) is returned, not thrown. */
async function collect(results: AsyncIterable<Result>): Promise<{ events: Event[]; errors: { extensions?: { code?: string } }[] }> {
  const events: Event[] = [];
  const errors: { extensions?: { code?: string } }[] = [];
  try {
    for await (const result of results) {
      if (result.data?.chatStream) events.push(result.data.chatStream);
      errors.push(...(result.errors ?? []));
    }
  } catch (error: unknown) {
    errors.push(...(Array.isArray(error) ? error : [error as { extensions?: { code?: string } }]));
  }
  return { events, errors };
}

const textOf = (events: Event[]) => events.map((event) => event.delta ?? '').join('');
const deltaEvents = (events: Event[]) => events.filter((event) => !event.done && (event.delta !== null || event.toolCallDeltas !== null));

describe.each(TRANSPORTS)('delta coalescing over $name', ({ subscribe }) => {
  it('turns a burst of chunks sent in one write into a few events whose deltas join to the exact text', async () => {
    const chunks = words(300);
    respond = async (res, model) => {
      res.end(wholeAnswer(chunks, model));
    };
    const { events, errors } = await collect(subscribe({ input: input() }));
    expect(errors).toEqual([]);
    expect(textOf(events)).toBe(chunks.join(''));
    // The first token alone, then the rest of the burst merged (a read may split it in a few pieces).
    expect(deltaEvents(events)[0]?.delta).toBe(chunks[0]);
    expect(deltaEvents(events).length).toBeLessThanOrEqual(10);
    expect(events.filter((event) => event.done)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ done: true, delta: null, finishReason: 'STOP', usage: { promptTokens: 7, completionTokens: 3, estimated: false } });
  });

  it('does not merge chunks that arrive spaced in time, and never holds back the first token', async () => {
    const chunks = ['Once', ' upon', ' a', ' time', ' there'];
    let firstTokenSeen!: () => void;
    const released = new Promise<void>((resolve) => (firstTokenSeen = resolve));
    const written: string[] = [];
    respond = async (res, model) => {
      const [head, ...rest] = openaiFormat.partialFrames(chunks, model);
      // The role frame and the first token; the second is only sent once the client has the first.
      res.write(`${head}${SEP}${rest[0]}${SEP}`);
      written.push(chunks[0] as string);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([released, new Promise<void>((resolve) => (timer = setTimeout(resolve, 3_000)))]);
      clearTimeout(timer);
      for (const [index, frame] of rest.slice(1).entries()) {
        if (res.destroyed) return;
        res.write(frame + SEP);
        written.push(chunks[index + 1] as string);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      const tail = openaiFormat.streamFrames({ kind: 'text', chunks: [], usage }, model).slice(1);
      res.end([...tail, ...openaiFormat.terminator()].map((frame) => frame + SEP).join(''));
    };
    const events: Event[] = [];
    let writtenAtFirstToken: string[] | undefined;
    for await (const result of subscribe({ input: input() })) {
      expect(result.errors).toBeUndefined();
      const event = result.data?.chatStream;
      if (!event) continue;
      if (event.delta && writtenAtFirstToken === undefined) {
        writtenAtFirstToken = [...written];
        firstTokenSeen();
      }
      events.push(event);
    }
    expect(writtenAtFirstToken).toEqual(['Once']);
    expect(deltaEvents(events).map((event) => event.delta)).toEqual(chunks);
    expect(events.at(-1)).toMatchObject({ done: true, finishReason: 'STOP' });
  });

  it('delivers the text of a burst before an in-band error that ends it', async () => {
    const chunks = words(50);
    respond = async (res, model) => {
      const frames = [...openaiFormat.partialFrames(chunks, model), openaiFormat.errorFrame('Overloaded')];
      res.end(frames.map((frame) => frame + SEP).join(''));
    };
    const { events, errors } = await collect(subscribe({ input: input() }));
    expect(textOf(events)).toBe(chunks.join(''));
    expect(deltaEvents(events).length).toBeLessThan(chunks.length);
    expect(events.some((event) => event.done)).toBe(false);
    expect(errors.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('delivers the text of a burst before a connection cut right after it', async () => {
    const chunks = words(50);
    respond = async (res, model) => {
      const frames = openaiFormat.partialFrames(chunks, model);
      // Chunked encoding never terminated: the client sees a premature close after the data.
      res.write(frames.map((frame) => frame + SEP).join(''), () => res.socket?.end());
    };
    const { events, errors } = await collect(subscribe({ input: input() }));
    expect(textOf(events)).toBe(chunks.join(''));
    expect(events.some((event) => event.done)).toBe(false);
    expect(errors).toHaveLength(1);
  });

  it("merges a burst of tool call pieces per call, never across calls, and the calls assemble exactly", async () => {
    const calls = [
      { id: 'call_1', name: 'lookup', args: JSON.stringify({ query: 'x'.repeat(40), page: 2 }) },
      { id: 'call_2', name: 'fetch', args: JSON.stringify({ url: `https://example.com/${'y'.repeat(30)}` }) },
    ].map((call) => ({ ...call, argumentChunks: call.args.match(/.{1,3}/g) ?? [] }));
    respond = async (res, model) => {
      const frames = openaiFormat.streamFrames({ kind: 'tool-calls', calls, usage }, model);
      res.end([...frames, ...openaiFormat.terminator()].map((frame) => frame + SEP).join(''));
    };
    const tools = calls.map((call) => ({ name: call.name, parameters: { type: 'object' } }));
    const { events, errors } = await collect(subscribe({ input: input({ tools }) }));
    expect(errors).toEqual([]);
    // One call's piece per event, as before.
    expect(events.every((event) => (event.toolCallDeltas?.length ?? 0) <= 1)).toBe(true);
    const pieces = events.flatMap((event) => event.toolCallDeltas ?? []);
    expect(pieces.length).toBeLessThan(calls.reduce((sum, call) => sum + 1 + call.argumentChunks.length, 0) / 4);
    for (const [index, call] of calls.entries()) {
      const own = pieces.filter((piece) => piece.index === index);
      expect(own.map((piece) => piece.id).filter(Boolean)).toEqual([call.id]);
      expect(own.map((piece) => piece.name ?? '').join('')).toBe(call.name);
      expect(own.map((piece) => piece.argumentsDelta ?? '').join('')).toBe(call.args);
    }
    expect(events.at(-1)).toMatchObject({ done: true, finishReason: 'TOOL_CALLS' });
  });
});

describe('delta coalescing and the completion cache', () => {
  it('caches the whole text of a merged burst', async () => {
    const chunks = words(120);
    let calls = 0;
    respond = async (res, model) => {
      calls++;
      res.end(wholeAnswer(chunks, model));
    };
    const deterministic = input({ temperature: 0, seed: 4242 });
    const { events, errors } = await collect(subscribeSse(gw.url, ChatStreamDocument, { input: deterministic }));
    expect(errors).toEqual([]);
    expect(textOf(events)).toBe(chunks.join(''));
    expect(deltaEvents(events).length).toBeLessThan(chunks.length);

    const { body } = await postGraphQL(gw.url, ChatDocument, { input: deterministic });
    expect(body.data?.chat).toMatchObject({ cached: true, message: { content: chunks.join('') } });
    expect(calls).toBe(1);
  });
});

/** The chat service alone, from the same parts the gateway wires together; `provider` replaces the configured one. */
function chatServiceOf(provider?: Provider) {
  const config = parseConfig(gatewayYaml(), 'test config', {});
  const dispatcher = new Agent();
  const providers = new Map(config.providers.map((each) => [each.id, provider ?? createProvider(each, { dispatcher })]));
  const health = createHealthRegistry(config.routing);
  const planner = createRoutePlanner({ catalog: createCatalog(config, providers), routing: config.routing, health });
  const stores = createMemoryStores();
  const usageMeter = createUsageMeter({ store: stores.usage, onError: () => undefined });
  const limits = createLimitsService({ rateLimits: stores.rateLimits, budgets: stores.budgets, budgetPeriod: config.auth.budgetPeriod, onSettleError: () => undefined });
  const service = createChatService({ planner, health, usage: usageMeter, limits });
  const principal = createPrincipal({ kind: 'anonymous', keyId: 'anonymous', scopes: new Set(['chat']), models: [], limits: config.auth.anonymousLimits });
  const call = { principal, requestId: 'direct', signal: new AbortController().signal };
  return { service, call, close: () => dispatcher.close() };
}

const hi = { model: MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('the chat service used directly', () => {
  it('closes the upstream at once when the consumer leaves with a read still pending, though nothing aborted the call', async () => {
    const { service, call, close } = chatServiceOf();
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    respond = async (res, model) => {
      res.on('close', upstreamClosed);
      const [head, first, second] = openaiFormat.partialFrames(['one', ' two'], model);
      res.write(`${head}${SEP}${first}${SEP}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The second delta, then silence: the relay is left waiting on its next read.
      res.write(second + SEP);
    };
    const deltas: (string | null)[] = [];
    for await (const event of service.stream(hi, call)) {
      deltas.push(event.delta);
      if (deltas.length === 2) break;
    }
    expect(deltas).toEqual(['one', ' two']);
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 1_000));
    expect(await Promise.race([closed.then(() => 'closed'), timeout])).toBe('closed');
    await close();
  });

  it('delivers merged text before a stream that throws right after it', async () => {
    const failure = new ProviderError('UPSTREAM_UNAVAILABLE', 'connection lost', { provider: 'oai', retryable: true });
    const provider: Provider = {
      id: 'oai',
      type: 'openai',
      chat: () => Promise.reject(new Error('not used')),
      async *stream() {
        yield { type: 'metadata', id: 'thrown' };
        yield { type: 'text-delta', text: 'first' };
        // The rest arrives later, in one burst that ends with the stream failing.
        await new Promise((resolve) => setTimeout(resolve, 10));
        for (const text of words(20)) yield { type: 'text-delta', text };
        throw failure;
      },
    };
    const { service, call, close } = chatServiceOf(provider);
    const deltas: (string | null)[] = [];
    let thrown: unknown;
    try {
      for await (const event of service.stream(hi, call)) deltas.push(event.delta);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBe(failure);
    expect(deltas.join('')).toBe(`first${words(20).join('')}`);
    expect(deltas.length).toBeLessThan(21);
    await close();
  });
});
