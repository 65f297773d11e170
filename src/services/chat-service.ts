import type { ChatRequest, ChatStreamPart, TokenUsage } from '../providers/contract.js';
import type { Watchdog } from '../routing/attempt-watchdog.js';
import type { RoutePlanner } from '../routing/plan-routes.js';
import { defaultWait, runAttempts, type AttemptDeps, type LiveAttempt } from '../routing/run-attempts.js';
import type { HealthRegistry } from '../routing/target-health.js';
import type { Target } from './catalog.js';
import type { Attempt, ChatCompletion, ChatStreamEvent, GatewayChatRequest } from './chat-types.js';
import { computeUsage, estimatePromptTokens, estimateTokens } from './compute-usage.js';
import type { UsageMeter, UsageOutcome } from './usage-meter.js';

export interface ChatService {
  /** One complete answer, routed, retried and timed per the route's policies. */
  chat(request: GatewayChatRequest, signal: AbortSignal): Promise<ChatCompletion>;
  /**
   * A streamed answer. Retries and fallback happen only before the first delta;
   * a failure after it ends the stream with that error.
   */
  stream(request: GatewayChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent>;
}

export interface ChatServiceDeps {
  planner: RoutePlanner;
  health: HealthRegistry;
  usage: UsageMeter;
  /** @default performance.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
  /** @default a timer that honours the signal */
  wait?: AttemptDeps['wait'];
}

/** Completion tokens assumed for cost-based selection when the caller sets no maxTokens. */
const EXPECTED_COMPLETION_TOKENS = 256;

function upstreamRequest(request: GatewayChatRequest, target: Target): ChatRequest {
  return { ...request, model: target.model.upstream };
}

/** Opens a stream and reads up to its first content part, so a failure before it can still fall back. */
async function open(target: Target, request: GatewayChatRequest, signal: AbortSignal, watchdog: Watchdog) {
  const iterator = target.provider.stream(upstreamRequest(request, target), signal)[Symbol.asyncIterator]();
  const head: ChatStreamPart[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return { iterator, head };
      if (next.value.type === 'error') throw next.value.error;
      head.push(next.value);
      if (next.value.type !== 'metadata') {
        watchdog.markPart();
        return { iterator, head };
      }
    }
  } catch (error: unknown) {
    void iterator.return?.(undefined)?.catch(() => undefined);
    throw error;
  }
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const { planner, usage: meter } = deps;
  const attemptDeps: AttemptDeps = {
    health: deps.health,
    now: deps.now ?? (() => performance.now()),
    random: deps.random ?? Math.random,
    wait: deps.wait ?? defaultWait,
  };
  const { now } = attemptDeps;

  function attemptOptions(request: GatewayChatRequest, capability: 'chat' | 'streaming', signal: AbortSignal, attempts: Attempt[]) {
    const plan = planner.plan(request.model, capability);
    const costAware = plan.strategyName === 'cheapest';
    return {
      plan,
      signal,
      attempts,
      startedAt: now(),
      promptTokens: costAware ? estimatePromptTokens(request.messages) : 0,
      completionTokens: costAware ? (request.maxTokens ?? EXPECTED_COMPLETION_TOKENS) : 0,
    };
  }

  async function chat(request: GatewayChatRequest, signal: AbortSignal): Promise<ChatCompletion> {
    const attempts: Attempt[] = [];
    const options = attemptOptions(request, 'chat', signal, attempts);
    const { value: result, live } = await runAttempts(attemptDeps, {
      ...options,
      streaming: false,
      start: (target, attemptSignal) => target.provider.chat(upstreamRequest(request, target), attemptSignal),
    });
    live.settle();
    const usage = computeUsage(live.target.model, result.usage);
    meter.record({ model: live.target.model.id, provider: live.target.provider.id, ...usage, outcome: 'success' });
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

  async function* stream(request: GatewayChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const attempts: Attempt[] = [];
    const { value: opened, live } = await runAttempts(attemptDeps, {
      ...attemptOptions(request, 'streaming', signal, attempts),
      streaming: true,
      start: (target, attemptSignal, watchdog) => open(target, request, attemptSignal, watchdog),
    });
    yield* relay(live, request, signal, opened.head, opened.iterator, attempts);
  }

  /** Provider parts to client events; finish and usage are held for the one final event. */
  async function* relay(
    live: LiveAttempt,
    request: GatewayChatRequest,
    signal: AbortSignal,
    head: ChatStreamPart[],
    iterator: AsyncIterator<ChatStreamPart>,
    attempts: Attempt[],
  ): AsyncGenerator<ChatStreamEvent> {
    const { target, watchdog } = live;
    const model = target.model.id;
    const provider = target.provider.id;
    let id = '';
    let finishReason: ChatStreamEvent['finishReason'] = null;
    let reported: TokenUsage | undefined;
    let completionCharacters = 0;
    let outcome: UsageOutcome = 'cancelled';

    const usageSoFar = () =>
      reported
        ? computeUsage(target.model, reported)
        : computeUsage(
            target.model,
            { promptTokens: estimatePromptTokens(request.messages), completionTokens: Math.ceil(completionCharacters / 4) || estimateTokens('') },
            true,
          );
    const event = (delta: string | null, toolCallDeltas: ChatStreamEvent['toolCallDeltas']): ChatStreamEvent => ({
      id,
      model,
      provider,
      delta,
      toolCallDeltas,
      finishReason: null,
      usage: null,
      attempts: null,
      done: false,
    });

    try {
      let index = 0;
      for (;;) {
        let part: ChatStreamPart;
        if (index < head.length) {
          part = head[index++] as ChatStreamPart;
        } else {
          const next = await iterator.next();
          if (next.done) break;
          part = next.value;
          watchdog.markPart();
        }
        switch (part.type) {
          case 'metadata':
            if (part.id) id = part.id;
            break;
          case 'text-delta':
            completionCharacters += part.text.length;
            yield event(part.text, null);
            break;
          case 'tool-call-delta':
            completionCharacters += part.argumentsDelta?.length ?? 0;
            yield event(null, [{ index: part.index, id: part.id, name: part.name, argumentsDelta: part.argumentsDelta }]);
            break;
          case 'finish':
            finishReason = part.finishReason;
            break;
          case 'usage':
            reported = part.usage;
            break;
          case 'error':
            throw part.error;
        }
      }
      const usage = usageSoFar();
      outcome = 'success';
      meter.record({ model, provider, ...usage, outcome });
      yield { id, model, provider, delta: null, toolCallDeltas: null, finishReason: finishReason ?? 'other', usage, attempts, done: true };
    } catch (error: unknown) {
      outcome = signal.aborted ? 'cancelled' : 'failed';
      throw error;
    } finally {
      live.settle();
      // The consumer left early (cancel, downstream error): close the upstream now.
      void iterator.return?.(undefined)?.catch(() => undefined);
      // A cut-off stream still used tokens: record what was seen.
      if (outcome !== 'success') meter.record({ model, provider, ...usageSoFar(), outcome });
    }
  }

  return { chat, stream };
}
