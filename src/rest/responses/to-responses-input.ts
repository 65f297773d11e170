import { REASONING_EFFORTS, type ReasoningEffort } from '../../providers/contract.js';
import type { ChatInputShape } from '../../schema/to-chat-request.js';
import { checkParams, invalidParam as invalid, isObject, optional, type Body } from '../check-params.js';
import { SCHEMA_DESCRIPTION, STRICT_TOOLS } from '../to-chat-input.js';
import { ENCRYPTED_REASONING, RESPONSES_PARAMS } from './responses-params.js';
import { messagesOf } from './messages-of.js';

/** What a Responses request asks for besides the chat itself, echoed on the response object. */
export interface ResponsesEcho {
  instructions: string | null;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  tools: unknown[];
  toolChoice: unknown;
  textFormat: unknown;
  metadata: Record<string, unknown>;
  user: string | null;
  reasoning: { effort: ReasoningEffort | null; summary: string | null };
}

export interface ResponsesInput {
  input: ChatInputShape;
  stream: boolean;
  echo: ResponsesEcho;
  /** `include: ["reasoning.encrypted_content"]`: reasoning items carry the provider's signature. */
  encryptedReasoning: boolean;
}

function toolsOf(value: unknown): ChatInputShape['tools'] {
  if (value == null) return null;
  if (!Array.isArray(value)) throw invalid('tools', 'expected an array');
  return value.map((tool: unknown, index) => {
    if (!isObject(tool)) throw invalid(`tools[${index}]`, 'expected an object');
    if (tool.type !== 'function') {
      throw invalid(`tools[${index}].type`, `"${String(tool.type).slice(0, 40)}" tools are built into OpenAI; this gateway offers function tools only`);
    }
    if (typeof tool.name !== 'string') throw invalid(`tools[${index}].name`, 'expected the function name');
    if (tool.strict === true) throw invalid(`tools[${index}].strict`, STRICT_TOOLS);
    return { name: tool.name, description: typeof tool.description === 'string' ? tool.description : null, parameters: tool.parameters ?? null };
  });
}

function toolChoiceOf(value: unknown): ChatInputShape['toolChoice'] {
  if (value == null) return null;
  if (value === 'auto' || value === 'none' || value === 'required') return { mode: value };
  if (isObject(value) && value.type === 'function' && typeof value.name === 'string') return { mode: 'tool', name: value.name };
  throw invalid('tool_choice', 'expected "auto", "none", "required" or {type:"function", name}');
}

/** `text.format` → the chat's response format. */
function formatOf(text: unknown): ChatInputShape['responseFormat'] {
  const format = isObject(text) ? text.format : undefined;
  if (format == null) return null;
  if (!isObject(format)) throw invalid('text.format', 'expected an object');
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type };
  if (format.type !== 'json_schema') throw invalid('text.format.type', 'expected "text", "json_object" or "json_schema"');
  if (format.description != null) throw invalid('text.format.description', SCHEMA_DESCRIPTION);
  return {
    type: 'json_schema',
    name: typeof format.name === 'string' ? format.name : null,
    schema: format.schema,
    strict: typeof format.strict === 'boolean' ? format.strict : null,
  };
}

function metadataOf(body: Body): Record<string, unknown> {
  if (body.metadata == null) return {};
  if (!isObject(body.metadata)) throw invalid('metadata', 'expected an object of strings');
  return body.metadata;
}

/** `reasoning.effort` (the rest of `reasoning` is checked by RESPONSES_PARAMS). */
function effortOf(reasoning: unknown): ReasoningEffort | null {
  const effort = isObject(reasoning) ? reasoning.effort : undefined;
  if (effort == null) return null;
  if (!(REASONING_EFFORTS as readonly unknown[]).includes(effort)) throw invalid('reasoning.effort', `expected one of ${REASONING_EFFORTS.join(', ')}`);
  return effort as ReasoningEffort;
}

/** Maps a Responses API body to ChatInput, so `toChatRequest` applies the graph's rules. */
export function toResponsesInput(body: unknown): ResponsesInput {
  if (!isObject(body)) throw invalid('body', 'expected a JSON object');
  checkParams(body, RESPONSES_PARAMS, 'POST /v1/responses');
  const model = body.model;
  if (typeof model !== 'string' || !model) throw invalid('model', 'expected a model or route id');
  const instructions = optional<string>(body, 'instructions', 'string') ?? null;
  const user = optional<string>(body, 'user', 'string') ?? optional<string>(body, 'safety_identifier', 'string') ?? null;
  const effort = effortOf(body.reasoning);
  const summary = isObject(body.reasoning) ? (body.reasoning.summary ?? body.reasoning.generate_summary ?? null) : null;
  const input: ChatInputShape = {
    model,
    messages: messagesOf(body.input, instructions),
    temperature: optional<number>(body, 'temperature', 'number') ?? null,
    topP: optional<number>(body, 'top_p', 'number') ?? null,
    maxTokens: optional<number>(body, 'max_output_tokens', 'number') ?? null,
    tools: toolsOf(body.tools),
    toolChoice: toolChoiceOf(body.tool_choice),
    responseFormat: formatOf(body.text),
    user,
    reasoning: effort ? { effort } : null,
  };
  const echo: ResponsesEcho = {
    instructions,
    maxOutputTokens: input.maxTokens ?? null,
    temperature: input.temperature ?? null,
    topP: input.topP ?? null,
    tools: Array.isArray(body.tools) ? body.tools : [],
    toolChoice: body.tool_choice ?? 'auto',
    textFormat: isObject(body.text) && isObject(body.text.format) ? body.text.format : { type: 'text' },
    metadata: metadataOf(body),
    user,
    reasoning: { effort, summary: typeof summary === 'string' ? summary : null },
  };
  const encryptedReasoning = Array.isArray(body.include) && body.include.includes(ENCRYPTED_REASONING);
  return { input, stream: optional<boolean>(body, 'stream', 'boolean') ?? false, echo, encryptedReasoning };
}
