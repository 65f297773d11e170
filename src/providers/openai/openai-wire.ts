import { reasoningEffort } from '../content-parts.js';
import type { ChatRequest, FinishReason, ToolChoice } from '../contract.js';
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
}

export interface OpenAIChoice {
  index?: number;
  message?: { role?: string; content?: string | null; tool_calls?: OpenAIToolCall[] };
  delta?: { role?: string; content?: string | null; tool_calls?: OpenAIToolCall[] };
  finish_reason?: string | null;
}

export interface OpenAIChatBody {
  id?: string;
  model?: string;
  choices?: OpenAIChoice[];
  usage?: OpenAIUsage | null;
  error?: { message?: string; type?: string; code?: string | number | null };
}

function toolChoiceToWire(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

/** Builds the upstream body; omits every field the caller did not set. */
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
