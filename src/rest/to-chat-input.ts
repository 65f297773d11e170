import { CHAT_ROLES, type ChatRole } from '../providers/contract.js';
import type { ChatInputShape } from '../schema/to-chat-request.js';
import { CHAT_COMPLETIONS_PARAMS } from './chat-completions-params.js';
import { checkParams, invalidParam as invalid, isObject, optional } from './check-params.js';
import { partsOfContent } from './openai-content-parts.js';

/** What the body of POST /v1/chat/completions asks for, besides the ChatInput. */
export interface StreamOptions {
  stream: boolean;
  includeUsage: boolean;
}

/** Text content: a string, or an array of `{type:'text', text}` parts. */
function textOf(field: string, content: unknown): string | null {
  if (content == null || typeof content === 'string') return content ?? null;
  if (!Array.isArray(content)) throw invalid(field, 'expected a string or an array of text parts');
  return content
    .map((part: unknown, index) => {
      if (isObject(part) && typeof part.type === 'string' && part.type !== 'text') {
        throw invalid(`${field}[${index}]`, `"${part.type.slice(0, 40)}" parts are not supported by this gateway version; only text parts ({"type":"text","text":...}) are`);
      }
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') {
        throw invalid(`${field}[${index}]`, 'expected a text part ({"type":"text","text":...})');
      }
      return part.text;
    })
    .join('');
}

function roleOf(field: string, role: unknown): ChatRole {
  // `developer` is OpenAI's newer name for `system`.
  if (role === 'developer') return 'system';
  if (typeof role !== 'string' || !(CHAT_ROLES as readonly string[]).includes(role)) throw invalid(field, `expected one of ${CHAT_ROLES.join(', ')}`);
  return role as ChatRole;
}

function toolCallsOf(field: string, value: unknown): { id: string; name: string; arguments: string }[] | null {
  if (value == null) return null;
  if (!Array.isArray(value)) throw invalid(field, 'expected an array');
  return value.map((call: unknown, index) => {
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn) || typeof fn.name !== 'string') {
      throw invalid(`${field}[${index}]`, 'expected {id, type:"function", function:{name, arguments}}');
    }
    return { id: call.id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : '' };
  });
}

/**
 * `reasoning_content` on an assistant message: the turn's reasoning, sent back
 * as text (this surface has no field for a provider's signature).
 */
function reasoningContentOf(field: string, role: ChatRole, value: unknown): string | null {
  if (value == null || value === '') return null;
  if (typeof value !== 'string') throw invalid(field, 'expected a string');
  if (role !== 'assistant') throw invalid(field, 'only assistant messages carry reasoning_content');
  return value;
}

function messagesOf(value: unknown): ChatInputShape['messages'] {
  if (!Array.isArray(value)) throw invalid('messages', 'expected an array of messages');
  return value.map((message: unknown, index) => {
    const field = `messages[${index}]`;
    if (!isObject(message)) throw invalid(field, 'expected an object');
    const parts = partsOfContent(`${field}.content`, message.content);
    const role = roleOf(`${field}.role`, message.role);
    return {
      role,
      content: parts ? null : textOf(`${field}.content`, message.content),
      parts,
      name: typeof message.name === 'string' ? message.name : null,
      toolCallId: typeof message.tool_call_id === 'string' ? message.tool_call_id : null,
      toolCalls: toolCallsOf(`${field}.tool_calls`, message.tool_calls),
      reasoning: reasoningContentOf(`${field}.reasoning_content`, role, message.reasoning_content),
    };
  });
}

/** Strict tool schemas are enforced by OpenAI itself; not every provider can, so the gateway does not claim to. */
export const STRICT_TOOLS = 'strict tool schemas cannot be enforced across providers; set strict to false (or leave it out).';

/** The domain's response format carries no description, so one is refused rather than dropped. */
export const SCHEMA_DESCRIPTION = 'a schema description is not forwarded by this gateway version; put it in the instructions or the schema itself.';

function toolsOf(value: unknown): ChatInputShape['tools'] {
  if (value == null) return null;
  if (!Array.isArray(value)) throw invalid('tools', 'expected an array');
  return value.map((tool: unknown, index) => {
    const fn = isObject(tool) ? tool.function : undefined;
    if (!isObject(tool) || tool.type !== 'function' || !isObject(fn) || typeof fn.name !== 'string') {
      throw invalid(`tools[${index}]`, 'expected {type:"function", function:{name, description, parameters}}');
    }
    if (fn.strict === true) throw invalid(`tools[${index}].function.strict`, STRICT_TOOLS);
    return { name: fn.name, description: typeof fn.description === 'string' ? fn.description : null, parameters: fn.parameters ?? null };
  });
}

function toolChoiceOf(value: unknown): ChatInputShape['toolChoice'] {
  if (value == null) return null;
  if (value === 'auto' || value === 'none' || value === 'required') return { mode: value };
  const fn = isObject(value) ? value.function : undefined;
  if (isObject(value) && value.type === 'function' && isObject(fn) && typeof fn.name === 'string') return { mode: 'tool', name: fn.name };
  throw invalid('tool_choice', 'expected "auto", "none", "required" or {type:"function", function:{name}}');
}

function responseFormatOf(value: unknown): ChatInputShape['responseFormat'] {
  if (value == null) return null;
  if (!isObject(value)) throw invalid('response_format', 'expected an object');
  if (value.type === 'text' || value.type === 'json_object') return { type: value.type };
  if (value.type !== 'json_schema') throw invalid('response_format.type', 'expected "text", "json_object" or "json_schema"');
  const spec = isObject(value.json_schema) ? value.json_schema : {};
  if (spec.description != null) throw invalid('response_format.json_schema.description', SCHEMA_DESCRIPTION);
  return {
    type: 'json_schema',
    name: typeof spec.name === 'string' ? spec.name : null,
    schema: spec.schema,
    strict: typeof spec.strict === 'boolean' ? spec.strict : null,
  };
}

function stopOf(value: unknown): string[] | null {
  if (value == null) return null;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw invalid('stop', 'expected a string or an array of strings');
}

function reasoningOf(value: unknown): ChatInputShape['reasoning'] {
  if (value == null) return null;
  if (value !== 'minimal' && value !== 'low' && value !== 'medium' && value !== 'high') throw invalid('reasoning_effort', 'expected minimal, low, medium or high');
  return { effort: value };
}

/** Maps an OpenAI Chat Completions body to ChatInput, so `toChatRequest` applies the graph's rules. */
export function toChatInput(body: unknown): { input: ChatInputShape; stream: StreamOptions } {
  if (!isObject(body)) throw invalid('body', 'expected a JSON object');
  const model = body.model;
  if (typeof model !== 'string' || !model) throw invalid('model', 'expected a model or route id');
  checkParams(body, CHAT_COMPLETIONS_PARAMS, 'POST /v1/chat/completions');
  const streamOptions = body.stream_options;
  const input: ChatInputShape = {
    model,
    messages: messagesOf(body.messages),
    temperature: optional<number>(body, 'temperature', 'number') ?? null,
    topP: optional<number>(body, 'top_p', 'number') ?? null,
    maxTokens: optional<number>(body, 'max_completion_tokens', 'number') ?? optional<number>(body, 'max_tokens', 'number') ?? null,
    stop: stopOf(body.stop),
    seed: optional<number>(body, 'seed', 'number') ?? null,
    tools: toolsOf(body.tools),
    toolChoice: toolChoiceOf(body.tool_choice),
    responseFormat: responseFormatOf(body.response_format),
    // safety_identifier is OpenAI's newer name for the end-user id.
    user: optional<string>(body, 'user', 'string') ?? optional<string>(body, 'safety_identifier', 'string') ?? null,
    reasoning: reasoningOf(body.reasoning_effort),
  };
  return {
    input,
    stream: {
      stream: optional<boolean>(body, 'stream', 'boolean') ?? false,
      includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
    },
  };
}
