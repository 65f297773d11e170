import type { CompletionCache } from '../../cache/completion-cache.js';
import type { CachedCompletion } from '../../stores/completion-store.js';
import { assertModelAllowed } from '../../auth/principal.js';
import type { ToolCall } from '../../providers/contract.js';
import type { ChatService } from '../chat-service.js';
import type { ChatCompletion, ChatStreamEvent, CompletionUsage, GatewayChatRequest } from '../chat-types.js';
import { observeRequest, type ChatObserver } from '../chat-observer.js';
import type { UsageMeter } from '../usage-meter.js';
import type { ChatCall } from './chat-call.js';
import { deferStream } from './defer-stream.js';

export interface CompletionCacheDeps {
  cache: CompletionCache;
  meter: UsageMeter;
  observers: readonly ChatObserver[];
  now: () => number;
  /** Called on every lookup (metrics). */
  onCacheLookup?: (hit: boolean) => void;
}

const TOKEN_LIKE = /\s*\S+|\s+$/g;

/** Only whole answers are worth replaying: not cut off, not filtered, not failed. */
function cacheable(finishReason: string | null): finishReason is 'stop' | 'tool_calls' {
  return finishReason === 'stop' || finishReason === 'tool_calls';
}

/** Word-sized pieces of `text`, as a replay streams them. */
function piecesOf(text: string | null | undefined): string[] {
  return text?.match(TOKEN_LIKE) ?? [];
}

/**
 * A cached answer replayed as a stream: its reasoning, then its text, in word-sized deltas,
 * tool calls whole, then the final event with the reasoning signature.
 */
async function* replay(completion: ChatCompletion): AsyncGenerator<ChatStreamEvent> {
  const base = { id: completion.id, model: completion.model, provider: completion.provider, reasoningSignature: null, finishReason: null, usage: null, attempts: null, cached: null, done: false };
  for (const reasoningDelta of piecesOf(completion.reasoning?.text)) yield { ...base, reasoningDelta, delta: null, toolCallDeltas: null };
  for (const delta of piecesOf(completion.content)) yield { ...base, reasoningDelta: null, delta, toolCallDeltas: null };
  if (completion.toolCalls.length > 0) {
    const toolCallDeltas = completion.toolCalls.map((call, index) => ({ index, id: call.id, name: call.name, argumentsDelta: call.arguments }));
    yield { ...base, reasoningDelta: null, delta: null, toolCallDeltas };
  }
  const reasoningSignature = completion.reasoning?.signature ?? null;
  yield { ...base, reasoningDelta: null, reasoningSignature, delta: null, toolCallDeltas: null, finishReason: completion.finishReason, usage: completion.usage, attempts: [], cached: true, done: true };
}

/**
 * The completion cache around a chat service: a hit is answered without an
 * upstream call (a stream replays it), identical concurrent `chat` calls share one
 * upstream call (single-flight), and whole answers are remembered. The allow-list
 * is checked before the cache, so a hit cannot bypass it.
 */
export function withCompletionCache(inner: ChatService, deps: CompletionCacheDeps): ChatService {
  const { cache, meter, observers, now } = deps;

  /**
   * A hit as a completion: no attempts, counted as a request. The client sees the cached answer's
   * token counts at no cost; the meter, budgets and observers count no tokens (none were spent).
   */
  function fromCache(hit: CachedCompletion, request: GatewayChatRequest, call: ChatCall, streaming: boolean, startedAt: number): ChatCompletion {
    const { promptTokens, completionTokens, reasoningTokens = 0, cachedPromptTokens = 0 } = hit.usage;
    const answered = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, reasoningTokens, cachedPromptTokens, costUsd: 0, estimated: false };
    const usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, reasoningTokens: 0, cachedPromptTokens: 0, costUsd: 0, estimated: false };
    meter.record({ keyId: call.principal.keyId, subject: call.principal.subject, model: hit.model, provider: hit.provider, ...usage, outcome: 'success' });
    const latencyMs = now() - startedAt;
    observeRequest(observers, { requestId: call.requestId, keyId: call.principal.keyId, callerKind: call.principal.kind, requested: request.model, streaming, body: request })?.finished({
      requestId: call.requestId,
      keyId: call.principal.keyId,
      requested: request.model,
      model: hit.model,
      provider: hit.provider,
      streaming,
      outcome: 'success',
      errorCode: null,
      finishReason: hit.finishReason,
      attempts: [],
      usage,
      cached: true,
      latencyMs,
      timeToFirstTokenMs: streaming ? latencyMs : null,
    });
    return { ...hit, reasoning: hit.reasoning ?? null, usage: answered, cached: true, attempts: [], latencyMs };
  }

  async function lookup(key: string): Promise<CachedCompletion | undefined> {
    const hit = await cache.get(key);
    deps.onCacheLookup?.(hit !== undefined);
    return hit;
  }

  function remember(key: string, completion: Omit<CachedCompletion, 'usage'> & { usage: CompletionUsage }): void {
    if (!cacheable(completion.finishReason)) return;
    const { id, model, provider, content, toolCalls, reasoning, finishReason } = completion;
    const { promptTokens, completionTokens, reasoningTokens, cachedPromptTokens } = completion.usage;
    const usage = { promptTokens, completionTokens, reasoningTokens, cachedPromptTokens };
    void cache.set(key, { id, model, provider, content, toolCalls, reasoning: reasoning ?? null, finishReason, usage });
  }

  /** Relays a fresh stream and remembers its answer, assembled from its events as a client would. */
  async function* rememberStream(key: string, events: AsyncGenerator<ChatStreamEvent>): AsyncGenerator<ChatStreamEvent> {
    let reasoning = '';
    let text = '';
    const toolCalls: ToolCall[] = [];
    for await (const event of events) {
      if (event.reasoningDelta !== null) reasoning += event.reasoningDelta;
      if (event.delta !== null) text += event.delta;
      for (const piece of event.toolCallDeltas ?? []) {
        const assembled = (toolCalls[piece.index] ??= { id: '', name: '', arguments: '' });
        if (piece.id) assembled.id = piece.id;
        if (piece.name) assembled.name += piece.name;
        if (piece.argumentsDelta) assembled.arguments += piece.argumentsDelta;
      }
      if (event.done && event.usage && !event.usage.estimated && event.finishReason) {
        const { id, model, provider, finishReason, usage, reasoningSignature } = event;
        const trace = reasoning === '' && reasoningSignature === null ? null : { text: reasoning, ...(reasoningSignature === null ? {} : { signature: reasoningSignature }) };
        remember(key, { id, model, provider, content: text, toolCalls: toolCalls.filter(Boolean), reasoning: trace, finishReason, usage });
      }
      yield event;
    }
  }

  return {
    async chat(request, call) {
      // Once, before the cache too: a hit must not bypass the allow-list.
      assertModelAllowed(call.principal, request.model);
      const key = cache.keyFor(request, call.principal.subject);
      if (!key) return inner.chat(request, call);
      const startedAt = now();
      const hit = await lookup(key);
      if (hit) {
        // Served without an upstream call: what was reserved for one goes back.
        call.ticket?.admission.release();
        return fromCache(hit, request, call, false, startedAt);
      }
      // Identical concurrent requests share one upstream call; the others are served as cache hits.
      let leader = false;
      const completion = await cache.singleFlight(key, async () => {
        leader = true;
        const fresh = await inner.chat(request, call);
        remember(key, fresh);
        return fresh;
      });
      if (leader) return completion;
      call.ticket?.admission.release();
      return fromCache(completion, request, call, false, startedAt);
    },
    stream: (request, call) =>
      // Opened on the first next(), as a generator would be; an uncached request then gets the inner stream's events directly.
      deferStream(async () => {
        assertModelAllowed(call.principal, request.model);
        const key = cache.keyFor(request, call.principal.subject);
        if (!key) return inner.stream(request, call);
        const startedAt = now();
        const hit = await lookup(key);
        if (hit) return replay(fromCache(hit, request, call, true, startedAt));
        return rememberStream(key, inner.stream(request, call));
      }),
    admitOperation: (requests, principal) => inner.admitOperation(requests, principal),
  };
}
