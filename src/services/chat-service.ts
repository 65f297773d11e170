import { assertModelAllowed, type Principal } from '../auth/principal.js';
import type { CompletionCache } from '../cache/completion-cache.js';
import type { ChatRequest, ChatResult } from '../providers/contract.js';
import type { RoutePlanner } from '../routing/plan-routes.js';
import { defaultWait, runAttempts, type AttemptDeps, type RunAttemptsOptions } from '../routing/run-attempts.js';
import type { HealthRegistry } from '../routing/target-health.js';
import type { Target } from '../routing/catalog.js';
import { createAdmitter, type AdmittedCall } from './chat/admit-call.js';
import { withCompletionCache } from './chat/cached-chat-service.js';
import type { ChatCall, ChatTicket } from './chat/chat-call.js';
import { openStream } from './chat/open-stream.js';
import { deferStream } from './chat/defer-stream.js';
import { relayStream } from './chat/relay-stream.js';
import { observeAnswered, settleUnanswered, settleUsage, type SettlementContext } from './chat/settle-completion.js';
import type { ChatObserver } from './chat-observer.js';
import type { ChatCompletion, ChatStreamEvent, GatewayChatRequest } from './chat-types.js';
import { computeUsage, estimatePromptTokens } from './compute-usage.js';
import type { ConcurrencyLimit, Lease } from './concurrency-limit.js';
import type { LimitsService } from './limits-service.js';
import type { UsageMeter } from './usage-meter.js';

export type { ChatCall, ChatTicket } from './chat/chat-call.js';

/**
 * The chat path, as stages with one direction of dependencies:
 * cache (`chat/cached-chat-service.ts`) → admission (`chat/admit-call.ts`) →
 * attempts (`routing/run-attempts.ts`) → stream head-peek (`chat/open-stream.ts`) →
 * relay with delta coalescing (`chat/relay-stream.ts`, `chat/coalesce-deltas.ts`,
 * `chat/read-buffered.ts`) → settlement (`chat/settle-completion.ts`).
 */
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

/** What the attempts need of an admitted call (not its hold on the limits, nor its observation). */
function attemptOptions({ admission: _admission, observation: _observation, ...options }: AdmittedCall) {
  return options;
}

function upstreamRequest(request: GatewayChatRequest, target: Target): ChatRequest {
  const { cache: _cache, ...upstream } = request;
  return { ...upstream, model: target.model.upstream };
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const observers = deps.observers ?? [];
  const attemptDeps: AttemptDeps = {
    health: deps.health,
    now: deps.now ?? (() => performance.now()),
    random: deps.random ?? Math.random,
    wait: deps.wait ?? defaultWait,
  };
  const { now } = attemptDeps;
  const admitter = createAdmitter({ planner: deps.planner, limits: deps.limits, concurrency: deps.concurrency, observers, now });

  const settlementOf = (admitted: AdmittedCall, request: GatewayChatRequest, call: ChatCall, streaming: boolean): SettlementContext => ({
    call,
    requested: request.model,
    streaming,
    admission: admitted.admission,
    meter: deps.usage,
    observation: admitted.observation,
    attempts: admitted.attempts,
    startedAt: admitted.startedAt,
    now,
  });

  /**
   * Takes the call's lease, admits it and runs its attempts up to an answer. The caller then
   * owns the lease; on a failure it is released here, and the unanswered call settled.
   */
  async function admitAndAnswer<T>(request: GatewayChatRequest, call: ChatCall, capability: 'chat' | 'streaming', start: RunAttemptsOptions<T>['start']) {
    const lease = await admitter.lease(call);
    try {
      const admitted = await admitter.admit(request, capability, call);
      const streaming = capability === 'streaming';
      const settlement = settlementOf(admitted, request, call, streaming);
      try {
        const { value, live } = await runAttempts(attemptDeps, { ...attemptOptions(admitted), streaming, start });
        return { lease, admitted, settlement, value, live };
      } catch (error: unknown) {
        settleUnanswered(settlement, error);
        throw error;
      }
    } catch (error: unknown) {
      lease.release();
      throw error;
    }
  }

  async function chat(request: GatewayChatRequest, call: ChatCall): Promise<ChatCompletion> {
    const start: RunAttemptsOptions<ChatResult>['start'] = (target, attemptSignal) => target.provider.chat(upstreamRequest(request, target), attemptSignal);
    const { lease, admitted, settlement, value: result, live } = await admitAndAnswer(request, call, 'chat', start);
    try {
      live.settle();
      const answered = { model: live.target.model.id, provider: live.target.provider.id };
      const end = { ...answered, outcome: 'success' as const, usage: computeUsage(live.target.model, result.usage), finishReason: result.finishReason };
      settleUsage(settlement, end);
      observeAnswered(settlement, end);
      return {
        id: result.id,
        ...answered,
        content: result.content,
        toolCalls: result.toolCalls,
        reasoning: result.reasoning ?? null,
        finishReason: result.finishReason,
        usage: end.usage,
        cached: false,
        attempts: admitted.attempts,
        latencyMs: now() - admitted.startedAt,
      };
    } finally {
      lease.release();
    }
  }

  /** Admitted and opened on the first next(); the relay's own events then, with no layer of this function's per event. */
  function stream(request: GatewayChatRequest, call: ChatCall): AsyncGenerator<ChatStreamEvent> {
    return deferStream(async () => {
      assertModelAllowed(call.principal, request.model);
      const { lease, settlement, value, live } = await admitAndAnswer(request, call, 'streaming', (target, attemptSignal, watchdog) =>
        openStream(target, upstreamRequest(request, target), attemptSignal, watchdog),
      );
      // Held until the stream ends, however it ends: the relay releases it in its finally.
      return relayStream({ live, opened: value, settlement, firstTokenAt: now(), lease, promptEstimate: estimatePromptTokens(request.messages) });
    });
  }

  const core: ChatService = {
    chat: (request, call) => {
      assertModelAllowed(call.principal, request.model);
      return chat(request, call);
    },
    stream,
    admitOperation: (requests, principal) => admitter.admitOperation(requests, principal),
  };
  if (!deps.cache) return core;
  // The cache checks the allow-list itself, before a lookup, so it wraps the unchecked calls.
  return withCompletionCache({ ...core, chat, stream }, {
    cache: deps.cache,
    meter: deps.usage,
    observers,
    now,
    ...(deps.onCacheLookup ? { onCacheLookup: deps.onCacheLookup } : {}),
  });
}
