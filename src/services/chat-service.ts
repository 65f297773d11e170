import { GatewayError, isGatewayError } from '../errors.js';
import type { ChatRequest, ChatStreamPart } from '../providers/contract.js';
import { isProviderError, type ProviderError } from '../providers/provider-error.js';
import type { Catalog, Target } from './catalog.js';
import type { Attempt, ChatCompletion, ChatStreamEvent, GatewayChatRequest } from './chat-types.js';
import { computeUsage, estimatePromptTokens, estimateTokens } from './compute-usage.js';

export interface ChatService {
  /** One complete answer, trying the targets of a route in order. */
  chat(request: GatewayChatRequest, signal: AbortSignal): Promise<ChatCompletion>;
  /**
   * A streamed answer. Falls back to the next target only before the first
   * delta; a failure after it ends the stream with that error.
   */
  stream(request: GatewayChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent>;
}

export interface ChatServiceDeps {
  catalog: Catalog;
  /** @default performance.now */
  now?: () => number;
}

function failedAttempt(target: Target, error: unknown, latencyMs: number): Attempt {
  const code = isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
  return {
    model: target.model.id,
    provider: target.provider.id,
    outcome: code === 'UPSTREAM_TIMEOUT' ? 'timed_out' : 'failed',
    latencyMs,
    errorCode: code,
  };
}

/** Whether another target may succeed where this one failed. */
function shouldFallBack(error: unknown): error is ProviderError {
  return isProviderError(error) && error.retryable;
}

/** The error a caller sees once every target has been tried. */
function exhausted(requested: string, attempts: Attempt[], last: unknown): unknown {
  if (!isGatewayError(last)) return last;
  const details = { ...last.details, attempts };
  if (attempts.length <= 1) return new GatewayError(last.code, last.message, { details, cause: last });
  const summary = attempts.map((attempt) => `${attempt.model} (${attempt.errorCode ?? attempt.outcome})`).join(', ');
  return new GatewayError(last.code, `All ${attempts.length} targets of "${requested}" failed: ${summary}. Last error: ${last.message}`, {
    details,
    cause: last,
  });
}

function upstreamRequest(request: GatewayChatRequest, target: Target): ChatRequest {
  return { ...request, model: target.model.upstream };
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const { catalog } = deps;
  const now = deps.now ?? (() => performance.now());

  async function chat(request: GatewayChatRequest, signal: AbortSignal): Promise<ChatCompletion> {
    const targets = catalog.resolve(request.model, 'chat');
    const started = now();
    const attempts: Attempt[] = [];
    let lastError: unknown;
    for (const target of targets) {
      const attemptStarted = now();
      try {
        const result = await target.provider.chat(upstreamRequest(request, target), signal);
        const finished = now();
        attempts.push({ model: target.model.id, provider: target.provider.id, outcome: 'success', latencyMs: finished - attemptStarted });
        return {
          id: result.id,
          model: target.model.id,
          provider: target.provider.id,
          content: result.content,
          toolCalls: result.toolCalls,
          finishReason: result.finishReason,
          usage: computeUsage(target.model, result.usage),
          cached: false,
          attempts,
          latencyMs: finished - started,
        };
      } catch (error: unknown) {
        if (signal.aborted) throw signal.reason ?? error;
        attempts.push(failedAttempt(target, error, now() - attemptStarted));
        lastError = error;
        if (!shouldFallBack(error)) break;
      }
    }
    throw exhausted(request.model, attempts, lastError);
  }

  /** Opens a target's stream and reads up to its first content part, so fallback stays possible. */
  async function open(target: Target, request: GatewayChatRequest, signal: AbortSignal) {
    const iterator = target.provider.stream(upstreamRequest(request, target), signal)[Symbol.asyncIterator]();
    const head: ChatStreamPart[] = [];
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return { iterator, head };
        if (next.value.type === 'error') throw next.value.error;
        head.push(next.value);
        if (next.value.type !== 'metadata') return { iterator, head };
      }
    } catch (error: unknown) {
      void iterator.return?.(undefined)?.catch(() => undefined);
      throw error;
    }
  }

  async function* stream(request: GatewayChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const targets = catalog.resolve(request.model, 'streaming');
    const attempts: Attempt[] = [];
    let lastError: unknown;
    for (const target of targets) {
      const attemptStarted = now();
      let opened: Awaited<ReturnType<typeof open>>;
      try {
        opened = await open(target, request, signal);
      } catch (error: unknown) {
        if (signal.aborted) throw signal.reason ?? error;
        attempts.push(failedAttempt(target, error, now() - attemptStarted));
        lastError = error;
        if (shouldFallBack(error)) continue;
        break;
      }
      attempts.push({ model: target.model.id, provider: target.provider.id, outcome: 'success', latencyMs: now() - attemptStarted });
      yield* relay(target, request, opened.head, opened.iterator, attempts);
      return;
    }
    throw exhausted(request.model, attempts, lastError);
  }

  /** Turns provider parts into client events; holds finish and usage for the one final event. */
  async function* relay(
    target: Target,
    request: GatewayChatRequest,
    head: ChatStreamPart[],
    iterator: AsyncIterator<ChatStreamPart>,
    attempts: Attempt[],
  ): AsyncGenerator<ChatStreamEvent> {
    let id = '';
    const model = target.model.id;
    const provider = target.provider.id;
    let finishReason: ChatStreamEvent['finishReason'] = null;
    let usage: ChatStreamPart & { type: 'usage' } | undefined;
    let completionCharacters = 0;

    function event(delta: string | null, toolCallDeltas: ChatStreamEvent['toolCallDeltas']): ChatStreamEvent {
      return { id, model, provider, delta, toolCallDeltas, finishReason: null, usage: null, attempts: null, done: false };
    }

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
            usage = part;
            break;
          case 'error':
            throw part.error;
        }
      }
    } finally {
      // The consumer left early (cancel, error downstream): close the upstream now.
      void iterator.return?.(undefined)?.catch(() => undefined);
    }
    const finalUsage = usage
      ? computeUsage(target.model, usage.usage)
      : computeUsage(
          target.model,
          { promptTokens: estimatePromptTokens(request.messages), completionTokens: Math.ceil(completionCharacters / 4) || estimateTokens('') },
          true,
        );
    yield { id, model, provider, delta: null, toolCallDeltas: null, finishReason: finishReason ?? 'other', usage: finalUsage, attempts, done: true };
  }

  return { chat, stream };
}
