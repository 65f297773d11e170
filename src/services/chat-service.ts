import type { ChatRequest, ChatStreamPart, TokenUsage, ToolCall } from '../providers/contract.js';
import type { Watchdog } from '../routing/attempt-watchdog.js';
import type { RoutePlanner } from '../routing/plan-routes.js';
import { defaultWait, runAttempts, type AttemptDeps, type LiveAttempt } from '../routing/run-attempts.js';
import type { HealthRegistry } from '../routing/target-health.js';
import type { Target } from './catalog.js';
import type { Attempt, ChatCompletion, ChatStreamEvent, CompletionUsage, GatewayChatRequest, ToolCallDelta } from './chat-types.js';
import { computeUsage, estimatePromptTokens, estimateTokens } from './compute-usage.js';
import type { CachedCompletion, CompletionCache } from '../cache/completion-cache.js';
import type { Admission, LimitsService } from './limits-service.js';
import type { ConcurrencyLimit, Lease } from './concurrency-limit.js';
import type { RoutePlan } from '../routing/plan-routes.js';
import type { UsageMeter, UsageOutcome } from './usage-meter.js';
import { assertModelAllowed, type Principal } from '../auth/principal.js';
import { isGatewayError, type ErrorCode } from '../errors.js';
import { observeRequest, type AttemptTarget, type ChatObserver, type CompletionRecord, type RequestObservation } from './chat-observer.js';

/** Who calls, and when to give up. */
export interface ChatCall {
  principal: Principal;
  /** Correlates logs, traces and the audit record with the client's request. */
  requestId: string;
  /** Aborted when the client goes away or the server's shutdown grace ends. */
  signal: AbortSignal;
  /**
   * Limits already taken for this call by `admitOperation` (with its siblings of
   * the same operation); without one, the call takes its own.
   */
  ticket?: ChatTicket;
}

/** One call's admission, taken ahead of the call with the rest of its operation. */
export interface ChatTicket {
  plan: RoutePlan;
  admission: Admission;
}

export interface ChatService {
  /** One complete answer, routed, retried and timed per the route's policies. */
  chat(request: GatewayChatRequest, call: ChatCall): Promise<ChatCompletion>;
  /**
   * A streamed answer. Retries and fallback happen only before the first delta;
   * a failure after it ends the stream with that error.
   */
  stream(request: GatewayChatRequest, call: ChatCall): AsyncGenerator<ChatStreamEvent>;
  /**
   * Admits several calls of one operation together, before any of them runs:
   * allow-lists, routes, one concurrency slot for them all (they run one after
   * another), then every call's requests, tokens and budget. Any refusal releases
   * what was taken and throws, so no call runs. The caller passes each ticket to
   * its call and releases the lease (and unused tickets) when the operation ends.
   */
  admitOperation(requests: readonly GatewayChatRequest[], principal: Principal): Promise<{ tickets: ChatTicket[]; lease: Lease }>;
}

export interface ChatServiceDeps {
  planner: RoutePlanner;
  health: HealthRegistry;
  usage: UsageMeter;
  limits: LimitsService;
  /** `maxConcurrentRequests`: a slot per model call in flight; none: no cap. */
  concurrency?: ConcurrencyLimit;
  /** Tracing, metrics, audit: watch every completion. */
  observers?: readonly ChatObserver[];
  /** The completion cache, when enabled. */
  cache?: CompletionCache;
  /** Called on every completion cache lookup (metrics). */
  onCacheLookup?: (hit: boolean) => void;
  /** @default performance.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
  /** @default a timer that honours the signal */
  wait?: AttemptDeps['wait'];
}

const NO_USAGE = { promptTokens: 0, completionTokens: 0, costUsd: 0 };

function errorCodeOf(error: unknown): ErrorCode {
  return isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
}

function attemptTarget(target: Target): AttemptTarget {
  return { model: target.model.id, provider: target.provider.id, upstream: target.model.upstream, providerType: target.provider.type };
}

/** The record of a request that got no answer at all. */
function failedRecord(call: ChatCall, request: GatewayChatRequest, streaming: boolean, attempts: Attempt[], error: unknown, latencyMs: number): CompletionRecord {
  return {
    requestId: call.requestId,
    keyId: call.principal.keyId,
    requested: request.model,
    model: null,
    provider: null,
    streaming,
    outcome: call.signal.aborted ? 'cancelled' : 'failed',
    errorCode: call.signal.aborted ? null : errorCodeOf(error),
    finishReason: null,
    attempts,
    usage: null,
    cached: false,
    latencyMs,
    timeToFirstTokenMs: null,
  };
}

/** Completion tokens assumed for cost-based selection when the caller sets no maxTokens. */
const EXPECTED_COMPLETION_TOKENS = 256;

function upstreamRequest(request: GatewayChatRequest, target: Target): ChatRequest {
  const { cache: _cache, ...upstream } = request;
  return { ...upstream, model: target.model.upstream };
}

/** Only whole answers are worth replaying: not cut off, not filtered, not failed. */
function cacheable(finishReason: string | null): finishReason is 'stop' | 'tool_calls' {
  return finishReason === 'stop' || finishReason === 'tool_calls';
}

const TOKEN_LIKE = /\s*\S+|\s+$/g;

/** Opens a stream and reads up to its first content part, so a failure before it can still fall back. */
async function open(target: Target, request: GatewayChatRequest, signal: AbortSignal, watchdog: Watchdog) {
  // Its own controller, so the relay can close the upstream at once even while a read is still pending.
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  const iterator = target.provider.stream(upstreamRequest(request, target), controller.signal)[Symbol.asyncIterator]();
  const close = (reason: unknown) => controller.abort(reason);
  const head: ChatStreamPart[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return { iterator, head, close };
      if (next.value.type === 'error') throw next.value.error;
      head.push(next.value);
      // Metadata and usage reported so far (Anthropic's message_start) are not the first token.
      if (next.value.type !== 'metadata' && !(next.value.type === 'usage' && next.value.partial)) {
        watchdog.markPart();
        return { iterator, head, close };
      }
    }
  } catch (error: unknown) {
    void iterator.return?.(undefined)?.catch(() => undefined);
    throw error;
  }
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const { planner, usage: meter, limits } = deps;
  const observers = deps.observers ?? [];
  const attemptDeps: AttemptDeps = {
    health: deps.health,
    now: deps.now ?? (() => performance.now()),
    random: deps.random ?? Math.random,
    wait: deps.wait ?? defaultWait,
  };
  const { now } = attemptDeps;

  const NO_LEASE: Lease = { release: () => undefined };
  const acquireLease = (call: ChatCall): Promise<Lease> =>
    call.ticket || !deps.concurrency ? Promise.resolve(NO_LEASE) : deps.concurrency.acquire(call.principal);

  /** Plans the route and takes the caller's limits (or uses its ticket), before any upstream call (the allow-list is checked by the caller). */
  async function admit(request: GatewayChatRequest, capability: 'chat' | 'streaming', call: ChatCall, attempts: Attempt[]) {
    const plan = call.ticket?.plan ?? planner.plan(request.model, capability, request);
    const admission = call.ticket?.admission ?? (await limits.admit(call.principal, request, plan.candidates.map((candidate) => candidate.target)));
    const costAware = plan.strategyName === 'cheapest';
    const observation = observeRequest(observers, {
      requestId: call.requestId,
      keyId: call.principal.keyId,
      callerKind: call.principal.kind,
      requested: request.model,
      streaming: capability === 'streaming',
      body: request,
    });
    return {
      observation,
      ...(observation ? { onAttempt: (target: Target) => observation.attemptStarted(attemptTarget(target)) } : {}),
      admission,
      plan,
      signal: call.signal,
      attempts,
      startedAt: now(),
      promptTokens: costAware ? estimatePromptTokens(request.messages) : 0,
      completionTokens: costAware ? (request.maxTokens ?? EXPECTED_COMPLETION_TOKENS) : 0,
    };
  }

  /**
   * A cache hit as a completion: no attempts, counted as a request. The client sees the cached answer's
   * token counts at no cost; the meter, budgets and observers count no tokens (none were spent).
   */
  function fromCache(hit: CachedCompletion, request: GatewayChatRequest, call: ChatCall, streaming: boolean, startedAt: number): ChatCompletion {
    const { promptTokens, completionTokens } = hit.usage;
    const answered = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, costUsd: 0, estimated: false };
    const usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, estimated: false };
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
    return { ...hit, usage: answered, cached: true, attempts: [], latencyMs };
  }

  /** The cache key for this request, or undefined when it is not to be cached. */
  function cacheKeyFor(request: GatewayChatRequest, call: ChatCall): string | undefined {
    return deps.cache?.keyFor(request, call.principal.subject);
  }

  async function lookup(key: string): Promise<CachedCompletion | undefined> {
    const hit = await deps.cache?.get(key);
    deps.onCacheLookup?.(hit !== undefined);
    return hit;
  }

  function remember(key: string | undefined, completion: Omit<CachedCompletion, 'usage'> & { usage: { promptTokens: number; completionTokens: number } }): void {
    if (!key || !cacheable(completion.finishReason)) return;
    const { id, model, provider, content, toolCalls, finishReason, usage } = completion;
    void deps.cache?.set(key, { id, model, provider, content, toolCalls, finishReason, usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens } });
  }

  async function chat(request: GatewayChatRequest, call: ChatCall): Promise<ChatCompletion> {
    // Once, before the cache too: a hit must not bypass the allow-list.
    assertModelAllowed(call.principal, request.model);
    const key = cacheKeyFor(request, call);
    if (!key || !deps.cache) return uncachedChat(request, call);
    const startedAt = now();
    const hit = await lookup(key);
    if (hit) {
      // Served without an upstream call: what was reserved for one goes back.
      call.ticket?.admission.release();
      return fromCache(hit, request, call, false, startedAt);
    }
    // Identical concurrent requests share one upstream call; the others are served as cache hits.
    let leader = false;
    const completion = await deps.cache.singleFlight(key, async () => {
      leader = true;
      const fresh = await uncachedChat(request, call);
      remember(key, fresh);
      return fresh;
    });
    if (leader) return completion;
    call.ticket?.admission.release();
    return fromCache(completion, request, call, false, startedAt);
  }

  async function uncachedChat(request: GatewayChatRequest, call: ChatCall): Promise<ChatCompletion> {
    const lease = await acquireLease(call);
    try {
      return await leasedChat(request, call);
    } finally {
      lease.release();
    }
  }

  async function leasedChat(request: GatewayChatRequest, call: ChatCall): Promise<ChatCompletion> {
    const attempts: Attempt[] = [];
    const { admission, observation, ...options } = await admit(request, 'chat', call, attempts);
    let attempt;
    try {
      attempt = await runAttempts(attemptDeps, {
        ...options,
        streaming: false,
        start: (target, attemptSignal) => target.provider.chat(upstreamRequest(request, target), attemptSignal),
      });
    } catch (error: unknown) {
      admission.settle(NO_USAGE);
      observation?.finished(failedRecord(call, request, false, attempts, error, now() - options.startedAt));
      throw error;
    }
    const { value: result, live } = attempt;
    live.settle();
    const usage = computeUsage(live.target.model, result.usage);
    admission.settle(usage);
    meter.record({ keyId: call.principal.keyId, subject: call.principal.subject, model: live.target.model.id, provider: live.target.provider.id, ...usage, outcome: 'success' });
    observation?.finished({
      requestId: call.requestId,
      keyId: call.principal.keyId,
      requested: request.model,
      model: live.target.model.id,
      provider: live.target.provider.id,
      streaming: false,
      outcome: 'success',
      errorCode: null,
      finishReason: result.finishReason,
      attempts,
      usage,
      cached: false,
      latencyMs: now() - options.startedAt,
      timeToFirstTokenMs: null,
    });
    return {
      id: result.id,
      model: live.target.model.id,
      provider: live.target.provider.id,
      content: result.content,
      toolCalls: result.toolCalls,
      finishReason: result.finishReason,
      usage,
      cached: false,
      attempts,
      latencyMs: now() - options.startedAt,
    };
  }

  async function* stream(request: GatewayChatRequest, call: ChatCall): AsyncGenerator<ChatStreamEvent> {
    assertModelAllowed(call.principal, request.model);
    const key = cacheKeyFor(request, call);
    if (key) {
      const startedAt = now();
      const hit = await lookup(key);
      if (hit) {
        yield* replay(fromCache(hit, request, call, true, startedAt));
        return;
      }
    }
    yield* uncachedStream(request, call, key);
  }

  /** A cached answer replayed as a stream: its text in word-sized deltas, tool calls whole, then the final event. */
  async function* replay(completion: ChatCompletion): AsyncGenerator<ChatStreamEvent> {
    const base = { id: completion.id, model: completion.model, provider: completion.provider, finishReason: null, usage: null, attempts: null, cached: null, done: false };
    for (const delta of completion.content?.match(TOKEN_LIKE) ?? []) yield { ...base, delta, toolCallDeltas: null };
    if (completion.toolCalls.length > 0) {
      yield { ...base, delta: null, toolCallDeltas: completion.toolCalls.map((call, index) => ({ index, id: call.id, name: call.name, argumentsDelta: call.arguments })) };
    }
    yield { ...base, delta: null, toolCallDeltas: null, finishReason: completion.finishReason, usage: completion.usage, attempts: [], cached: true, done: true };
  }

  async function* uncachedStream(request: GatewayChatRequest, call: ChatCall, cacheKey: string | undefined): AsyncGenerator<ChatStreamEvent> {
    // Held until the stream ends, however it ends: the generator's finally runs on completion, error and return().
    const lease = await acquireLease(call);
    try {
      yield* leasedStream(request, call, cacheKey);
    } finally {
      lease.release();
    }
  }

  async function* leasedStream(request: GatewayChatRequest, call: ChatCall, cacheKey: string | undefined): AsyncGenerator<ChatStreamEvent> {
    const attempts: Attempt[] = [];
    const { admission, observation, ...options } = await admit(request, 'streaming', call, attempts);
    let attempt;
    try {
      attempt = await runAttempts(attemptDeps, {
        ...options,
        streaming: true,
        start: (target, attemptSignal, watchdog) => open(target, request, attemptSignal, watchdog),
      });
    } catch (error: unknown) {
      admission.settle(NO_USAGE);
      observation?.finished(failedRecord(call, request, true, attempts, error, now() - options.startedAt));
      throw error;
    }
    const { value: opened, live } = attempt;
    const timing = { startedAt: options.startedAt, firstTokenAt: now() };
    const { head, iterator, close } = opened;
    yield* relay({ live, request, call, admission, observation, timing, cacheKey, head, iterator, close, attempts });
  }

  /**
   * Provider parts to client events; finish and usage are held for the one final event.
   *
   * Deltas are coalesced: the first one goes out at once, and after any other the
   * relay keeps folding in the deltas that follow (text into text, a tool call's
   * pieces into that call) for as long as the upstream already has them buffered,
   * i.e. they settle before the next turn of the event loop (setImmediate). A burst
   * read in one network read becomes one event (one GraphQL execution, one socket
   * write); deltas that arrive spaced in time still go out one by one. Any other part
   * ends the merged event, so text seen before an error is delivered before it. The
   * read that ended a merge is kept in `inflight` for the next round: no part is lost,
   * reordered, or read while another read is pending.
   */
  async function* relay(stream: {
    live: LiveAttempt;
    request: GatewayChatRequest;
    call: ChatCall;
    admission: Admission;
    observation: RequestObservation | undefined;
    timing: { startedAt: number; firstTokenAt: number };
    cacheKey: string | undefined;
    head: ChatStreamPart[];
    iterator: AsyncIterator<ChatStreamPart>;
    /** Aborts the upstream request. */
    close: (reason: unknown) => void;
    attempts: Attempt[];
  }): AsyncGenerator<ChatStreamEvent> {
    const { live, request, call, admission, observation, timing, cacheKey, head, iterator, close, attempts } = stream;
    // Assembled only when the answer may be cached.
    let text = cacheKey ? '' : undefined;
    const toolCalls: ToolCall[] = [];
    const { target, watchdog } = live;
    const { keyId, subject } = call.principal;
    const model = target.model.id;
    const provider = target.provider.id;
    let id = '';
    let finishReason: ChatStreamEvent['finishReason'] = null;
    let reported: TokenUsage | undefined;
    // Usage the upstream reported so far, and how much completion text it had counted (the rest is estimated).
    let reportedSoFar: { promptTokens: number; completionTokens: number; characters: number } | undefined;
    let completionCharacters = 0;
    let outcome: UsageOutcome = 'cancelled';
    let failure: unknown;
    let finalUsage: CompletionUsage | undefined;

    const noteUsage = (part: Extract<ChatStreamPart, { type: 'usage' }>) => {
      if (!part.partial) {
        reported = part.usage;
        return;
      }
      const counted = part.usage.completionTokens;
      reportedSoFar = { promptTokens: part.usage.promptTokens, completionTokens: counted ?? 0, characters: counted === undefined ? 0 : completionCharacters };
    };
    /** What the upstream reported wins over estimates, on every way a stream ends; only what it has not counted yet is estimated. */
    const usageSoFar = () => {
      if (reported) return computeUsage(target.model, reported);
      const unreported = Math.ceil((completionCharacters - (reportedSoFar?.characters ?? 0)) / 4);
      if (reportedSoFar) {
        const { promptTokens, completionTokens } = reportedSoFar;
        return computeUsage(target.model, { promptTokens, completionTokens: completionTokens + unreported }, unreported > 0);
      }
      return computeUsage(target.model, { promptTokens: estimatePromptTokens(request.messages), completionTokens: unreported || estimateTokens('') }, true);
    };
    const event = (delta: string | null, toolCallDeltas: ChatStreamEvent['toolCallDeltas']): ChatStreamEvent => ({
      id,
      model,
      provider,
      delta,
      toolCallDeltas,
      finishReason: null,
      usage: null,
      attempts: null,
      cached: null,
      done: false,
    });

    /** Counts a delta part, and assembles it when the answer may be cached. */
    const take = (part: Extract<ChatStreamPart, { type: 'text-delta' | 'tool-call-delta' }>) => {
      if (part.type === 'text-delta') {
        completionCharacters += part.text.length;
        if (text !== undefined) text += part.text;
        return;
      }
      completionCharacters += part.argumentsDelta?.length ?? 0;
      if (text !== undefined) {
        const assembled = (toolCalls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) assembled.id = part.id;
        if (part.name) assembled.name += part.name;
        if (part.argumentsDelta) assembled.arguments += part.argumentsDelta;
      }
    };
    // The event being built: its text, or its one tool call's piece.
    let delta: string | null = null;
    let toolCallDelta: ToolCallDelta | null = null;
    /** Folds a part into the event being built when it continues it (counted and assembled). */
    const fold = (more: ChatStreamPart): boolean => {
      if (more.type === 'usage' && more.partial) {
        // Running usage (Gemini repeats it on every chunk) must not end a merge.
        watchdog.markPart();
        noteUsage(more);
        return true;
      }
      if (delta !== null && more.type === 'text-delta') {
        delta += more.text;
      } else if (toolCallDelta !== null && more.type === 'tool-call-delta' && more.index === toolCallDelta.index) {
        // As clients assemble them: the latest id, name and arguments concatenated.
        if (more.id) toolCallDelta.id = more.id;
        if (more.name) toolCallDelta.name = (toolCallDelta.name ?? '') + more.name;
        if (more.argumentsDelta) toolCallDelta.argumentsDelta = (toolCallDelta.argumentsDelta ?? '') + more.argumentsDelta;
      } else {
        return false;
      }
      watchdog.markPart();
      take(more);
      return true;
    };

    // Coalescing runs on callbacks made once per stream: a buffered part costs one next() and one then().
    // A read whose part is not handled yet: still pending at the next turn, or the one that ended a merge.
    let inflight: Promise<IteratorResult<ChatStreamPart>> | undefined;
    /** Set while merging: resumes the relay. */
    let merged: (() => void) | undefined;
    let turn: NodeJS.Immediate | undefined;
    const endMerge = () => {
      const resume = merged;
      if (!resume) return;
      merged = undefined;
      clearImmediate(turn);
      resume();
    };
    const onRead = (next: IteratorResult<ChatStreamPart>) => {
      // Settled only after the turn: the merge is over, and this read is the next round's.
      if (!merged) return;
      try {
        if (next.done || !fold(next.value)) endMerge();
        else readAhead();
      } catch (error: unknown) {
        // Not expected (a malformed part); fail the stream next round rather than leave it hanging.
        const failed = Promise.reject(error);
        failed.catch(() => undefined);
        inflight = failed;
        endMerge();
      }
    };
    const readAhead = () => {
      inflight = iterator.next();
      // A failure ends the merge too: what was merged goes out first, and the next round rethrows.
      void inflight.then(onRead, endMerge);
    };
    /**
     * Folds in the parts the upstream already has, until one needs I/O: it is still
     * pending when setImmediate fires (buffered ones settle in microtasks before it).
     */
    const mergeBuffered = () =>
      new Promise<void>((resolve) => {
        merged = resolve;
        turn = setImmediate(endMerge);
        readAhead();
      });

    try {
      let index = 0;
      for (;;) {
        let part: ChatStreamPart;
        let fromHead = false;
        if (index < head.length) {
          part = head[index++] as ChatStreamPart;
          fromHead = true;
        } else {
          const pending = inflight ?? iterator.next();
          inflight = undefined;
          const next = await pending;
          if (next.done) break;
          part = next.value;
          watchdog.markPart();
        }
        switch (part.type) {
          case 'metadata':
            if (part.id) id = part.id;
            continue;
          case 'text-delta':
            take(part);
            delta = part.text;
            toolCallDelta = null;
            break;
          case 'tool-call-delta':
            take(part);
            delta = null;
            toolCallDelta = { index: part.index, id: part.id, name: part.name, argumentsDelta: part.argumentsDelta };
            break;
          case 'finish':
            finishReason = part.finishReason;
            continue;
          case 'usage':
            noteUsage(part);
            continue;
          case 'error':
            throw part.error;
        }
        // The first delta (read before the stream was handed over) is never held back.
        if (!fromHead) await mergeBuffered();
        yield event(delta, toolCallDelta && [toolCallDelta]);
      }
      const usage = (finalUsage = usageSoFar());
      outcome = 'success';
      admission.settle(usage);
      meter.record({ keyId, subject, model, provider, ...usage, outcome });
      if (!usage.estimated) {
        remember(cacheKey, { id, model, provider, content: text ?? null, toolCalls: toolCalls.filter(Boolean), finishReason: finishReason ?? 'other', usage });
      }
      yield { id, model, provider, delta: null, toolCallDeltas: null, finishReason: finishReason ?? 'other', usage, attempts, cached: false, done: true };
    } catch (error: unknown) {
      outcome = call.signal.aborted ? 'cancelled' : 'failed';
      failure = error;
      throw error;
    } finally {
      live.settle();
      if (inflight) {
        // Left early with a read pending: return() would wait for it, so abort the upstream, and drop its outcome.
        void inflight.catch(() => undefined);
        close(call.signal.reason ?? new Error('the stream was closed'));
      }
      // The consumer left early (cancel, downstream error): close the upstream now.
      void iterator.return?.(undefined)?.catch(() => undefined);
      // A cut-off stream still used tokens: settle and record what was seen.
      const usage = finalUsage ?? usageSoFar();
      if (outcome !== 'success') {
        admission.settle(usage);
        meter.record({ keyId, subject, model, provider, ...usage, outcome });
      }
      observation?.finished({
        requestId: call.requestId,
        keyId,
        requested: request.model,
        model,
        provider,
        streaming: true,
        outcome,
        errorCode: outcome === 'failed' ? errorCodeOf(failure) : null,
        finishReason: outcome === 'success' ? (finishReason ?? 'other') : null,
        attempts,
        usage,
        cached: false,
        latencyMs: now() - timing.startedAt,
        timeToFirstTokenMs: timing.firstTokenAt - timing.startedAt,
      });
    }
  }

  async function admitOperation(requests: readonly GatewayChatRequest[], principal: Principal): Promise<{ tickets: ChatTicket[]; lease: Lease }> {
    const plans = requests.map((request) => {
      assertModelAllowed(principal, request.model);
      return planner.plan(request.model, 'chat', request);
    });
    const lease = deps.concurrency ? await deps.concurrency.acquire(principal) : NO_LEASE;
    try {
      const admissions = await limits.admitAll(
        principal,
        requests.map((request, index) => ({ request, targets: (plans[index] as RoutePlan).candidates.map((candidate) => candidate.target) })),
      );
      return { tickets: admissions.map((admission, index) => ({ admission, plan: plans[index] as RoutePlan })), lease };
    } catch (error: unknown) {
      lease.release();
      throw error;
    }
  }

  return { chat, stream, admitOperation };
}
