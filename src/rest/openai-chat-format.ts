import type { FinishReason } from '../providers/contract.js';
import type { ChatCompletion, ChatStreamEvent, CompletionUsage } from '../services/chat-types.js';

/** OpenAI has no `other`: it reads as a plain stop. */
export function finishReasonOf(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  return reason === 'other' ? 'stop' : reason;
}

/** Usage as OpenAI reports it, with the reasoning and cached shares (0 when the upstream does not say). */
export function usageOf(usage: CompletionUsage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

const unixSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A `chat.completion` object. Reasoning goes in `reasoning_content` beside
 * `content` (the field DeepSeek, vLLM and most OpenAI-compatible servers use),
 * only when the model gave some.
 */
export function toCompletionJson(completion: ChatCompletion) {
  const toolCalls = completion.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
  const reasoning = completion.reasoning?.text ? { reasoning_content: completion.reasoning.text } : {};
  return {
    id: completion.id,
    object: 'chat.completion' as const,
    created: unixSeconds(),
    model: completion.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: completion.content, ...reasoning, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: finishReasonOf(completion.finishReason),
      },
    ],
    usage: usageOf(completion.usage),
  };
}

/** Turns ChatStreamEvents into `chat.completion.chunk` objects, in order; reasoning arrives as `delta.reasoning_content`. */
export function createChunker(includeUsage: boolean) {
  const created = unixSeconds();
  let started = false;
  const chunk = (event: ChatStreamEvent, choices: unknown[], usage: unknown = null) => ({
    id: event.id,
    object: 'chat.completion.chunk' as const,
    created,
    model: event.model,
    choices,
    ...(includeUsage ? { usage } : {}),
  });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });
  return (event: ChatStreamEvent): unknown[] => {
    const out: unknown[] = [];
    if (!started) {
      started = true;
      out.push(chunk(event, [choice({ role: 'assistant', content: '' })]));
    }
    // The service sends a turn's reasoning before its text; an event carrying both keeps that order.
    if (event.reasoningDelta) out.push(chunk(event, [choice({ reasoning_content: event.reasoningDelta })]));
    if (event.delta) out.push(chunk(event, [choice({ content: event.delta })]));
    if (event.toolCallDeltas?.length) {
      const toolCalls = event.toolCallDeltas.map((delta) => ({
        index: delta.index,
        ...(delta.id === undefined ? {} : { id: delta.id, type: 'function' }),
        function: { ...(delta.name === undefined ? {} : { name: delta.name }), arguments: delta.argumentsDelta ?? '' },
      }));
      out.push(chunk(event, [choice({ tool_calls: toolCalls })]));
    }
    if (event.done) {
      out.push(chunk(event, [choice({}, finishReasonOf(event.finishReason ?? 'stop'))]));
      if (includeUsage && event.usage) out.push(chunk(event, [], usageOf(event.usage)));
    }
    return out;
  };
}
