import { reasoningEffort } from '../content-parts.js';
import type { ChatRequest, FinishReason, TokenUsage, ToolChoice } from '../contract.js';
import { toOpenAIContent } from './openai-parts.js';

/** The subset of the OpenAI Chat Completions wire format the adapter reads and writes. */
export interface OpenAIToolCall {
  index?: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek's own name for cached prompt tokens. */
  prompt_cache_hit_tokens?: number;
}

/** A message, or a streamed delta of one. */
export interface OpenAIMessageFields {
  role?: string;
  content?: string | null;
  tool_calls?: OpenAIToolCall[];
  /** Reasoning as DeepSeek and vLLM send it. */
  reasoning_content?: string | null;
  /** Reasoning as OpenRouter (and newer vLLM) send it; other servers use the name for objects. */
  reasoning?: unknown;
}

export interface OpenAIChoice {
  index?: number;
  message?: OpenAIMessageFields;
  delta?: OpenAIMessageFields;
  finish_reason?: string | null;
}

export interface OpenAIChatBody {
  id?: string;
  model?: string;
  choices?: OpenAIChoice[];
  usage?: OpenAIUsage | null;
  error?: { message?: string; type?: string; code?: string | number | null };
}

/**
 * The reasoning text a message or delta carries: `reasoning_content`, else `reasoning` when it
 * is a string (servers that send both send the same text twice). Empty text counts as none.
 */
export function reasoningTextOf(fields: OpenAIMessageFields | undefined): string | undefined {
  const text = fields?.reasoning_content ?? (typeof fields?.reasoning === 'string' ? fields.reasoning : undefined);
  return text || undefined;
}

/** Usage with its details: reasoning tokens (part of completion tokens) and cached prompt tokens, when the upstream says. */
export function usageFromOpenAI(usage: OpenAIUsage | null | undefined): TokenUsage {
  const result: TokenUsage = { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0 };
  const reasoningTokens = usage?.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoningTokens === 'number') result.reasoningTokens = reasoningTokens;
  const cachedPromptTokens = usage?.prompt_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens;
  if (typeof cachedPromptTokens === 'number') result.cachedPromptTokens = cachedPromptTokens;
  return result;
}

function toolChoiceToWire(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

/**
 * Builds the upstream body; omits every field the caller did not set. The `reasoning` of earlier
 * assistant turns is never sent back: OpenAI-compatible servers take no reasoning as input
 * (DeepSeek answers 400 to `reasoning_content` in a request), and none of them signs it.
 */
export function toOpenAIBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map((message) => {
      const wire: Record<string, unknown> = { role: message.role, content: message.parts ? toOpenAIContent(message.parts) : message.content };
      if (message.name !== undefined) wire.name = message.name;
      if (message.toolCallId !== undefined) wire.tool_call_id = message.toolCallId;
      if (message.toolCalls?.length) {
        wire.tool_calls = message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      return wire;
    }),
  };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.stop?.length) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  // OpenAI takes an effort only: a budget maps to the smallest effort that covers it.
  if (request.reasoning) body.reasoning_effort = reasoningEffort(request.reasoning);
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters ?? { type: 'object', properties: {} },
      },
    }));
  }
  if (request.toolChoice) body.tool_choice = toolChoiceToWire(request.toolChoice);
  const format = request.responseFormat;
  if (format && format.type !== 'text') {
    body.response_format =
      format.type === 'json_schema'
        ? { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? true } }
        : { type: 'json_object' };
  }
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** OpenAI's finish reasons (and the legacy `function_call`) to ours. */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
