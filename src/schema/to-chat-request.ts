import { GatewayError } from '../errors.js';
import type { ChatMessage, ChatRole, ReasoningTrace, ResponseFormat, ToolChoice, ToolDefinition } from '../providers/contract.js';
import type { GatewayChatRequest } from '../services/chat-types.js';
import { toContentParts, toReasoning, type ContentPartShape, type ReasoningShape } from './to-content-parts.js';

/** ChatInput as GraphQL hands it over (nullable fields are null or undefined). */
export interface ChatInputShape {
  model: string;
  messages: readonly {
    role: ChatRole;
    content?: string | null;
    parts?: readonly ContentPartShape[] | null;
    name?: string | null;
    toolCallId?: string | null;
    toolCalls?: readonly { id: string; name: string; arguments: string }[] | null;
    reasoning?: string | null;
    reasoningSignature?: string | null;
  }[];
  temperature?: number | null;
  topP?: number | null;
  maxTokens?: number | null;
  stop?: readonly string[] | null;
  seed?: number | null;
  tools?: readonly { name: string; description?: string | null; parameters?: unknown }[] | null;
  toolChoice?: { mode: 'auto' | 'none' | 'required' | 'tool'; name?: string | null } | null;
  responseFormat?: { type: 'text' | 'json_object' | 'json_schema'; name?: string | null; schema?: unknown; strict?: boolean | null } | null;
  user?: string | null;
  reasoning?: ReasoningShape | null;
  cache?: boolean | null;
}

const MAX_MESSAGES = 2_000;
const MAX_STOP_SEQUENCES = 16;
const MAX_TOOLS = 128;
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(field: string, message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', `${field}: ${message}`, { details: { field } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toMessages(input: ChatInputShape['messages']): ChatMessage[] {
  if (input.length === 0) throw invalid('input.messages', 'expected at least one message, but got none');
  if (input.length > MAX_MESSAGES) throw invalid('input.messages', `expected at most ${MAX_MESSAGES} messages, but got ${input.length}`);
  return input.map((message, index) => {
    const field = `input.messages[${index}]`;
    const content = message.content ?? null;
    const toolCalls = message.toolCalls ?? undefined;
    if (toolCalls?.length && message.role !== 'assistant') throw invalid(`${field}.toolCalls`, 'only ASSISTANT messages carry tool calls');
    if (message.role === 'tool' && !message.toolCallId) throw invalid(`${field}.toolCallId`, 'a TOOL message must name the tool call it answers');
    if (message.parts != null) {
      if (content !== null) throw invalid(field, 'expected content or parts, not both');
      if (message.role !== 'user') throw invalid(`${field}.parts`, 'only USER messages have parts; others use content');
    } else if (content === null && !toolCalls?.length) {
      throw invalid(`${field}.content`, 'expected text or parts (only an ASSISTANT message with toolCalls may have neither)');
    }
    const out: ChatMessage = { role: message.role, content };
    if (message.parts != null) out.parts = toContentParts(`${field}.parts`, message.parts);
    if (message.name) out.name = message.name;
    if (message.toolCallId) out.toolCallId = message.toolCallId;
    if (toolCalls?.length) out.toolCalls = toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments }));
    const reasoning = toReasoningTrace(field, message);
    if (reasoning) out.reasoning = reasoning;
    return out;
  });
}

/** An ASSISTANT message's reasoning sent back; a signature alone is kept (redacted thinking has no text). */
function toReasoningTrace(field: string, message: ChatInputShape['messages'][number]): ReasoningTrace | undefined {
  const text = message.reasoning ?? null;
  const signature = message.reasoningSignature ?? null;
  if (text === null && signature === null) return undefined;
  if (message.role !== 'assistant') {
    throw invalid(`${field}.${text === null ? 'reasoningSignature' : 'reasoning'}`, `only ASSISTANT messages carry reasoning, but got a ${message.role.toUpperCase()} message`);
  }
  return signature ? { text: text ?? '', signature } : { text: text ?? '' };
}

function toTools(input: NonNullable<ChatInputShape['tools']>): ToolDefinition[] {
  if (input.length > MAX_TOOLS) throw invalid('input.tools', `expected at most ${MAX_TOOLS} tools, but got ${input.length}`);
  const names = new Set<string>();
  return input.map((tool, index) => {
    const field = `input.tools[${index}]`;
    if (!TOOL_NAME.test(tool.name)) throw invalid(`${field}.name`, `expected 1-64 letters, digits, _ or -, but got "${tool.name.slice(0, 80)}"`);
    if (names.has(tool.name)) throw invalid(`${field}.name`, `"${tool.name}" is declared twice`);
    names.add(tool.name);
    if (tool.parameters != null && !isObject(tool.parameters)) throw invalid(`${field}.parameters`, 'expected a JSON Schema object');
    const out: ToolDefinition = { name: tool.name };
    if (tool.description) out.description = tool.description;
    if (tool.parameters != null) out.parameters = tool.parameters as Record<string, unknown>;
    return out;
  });
}

function toToolChoice(input: NonNullable<ChatInputShape['toolChoice']>, tools: ToolDefinition[] | undefined): ToolChoice {
  if (input.mode !== 'tool') return { type: input.mode };
  if (!input.name) throw invalid('input.toolChoice.name', 'mode TOOL needs the name of the tool to call');
  if (!tools?.some((tool) => tool.name === input.name)) throw invalid('input.toolChoice.name', `"${input.name}" is not one of input.tools`);
  return { type: 'tool', name: input.name };
}

function toResponseFormat(input: NonNullable<ChatInputShape['responseFormat']>): ResponseFormat {
  if (input.type !== 'json_schema') return { type: input.type };
  if (!input.name || !TOOL_NAME.test(input.name)) throw invalid('input.responseFormat.name', 'JSON_SCHEMA needs a name of 1-64 letters, digits, _ or -');
  if (!isObject(input.schema)) throw invalid('input.responseFormat.schema', 'JSON_SCHEMA needs a JSON Schema object');
  return { type: 'json_schema', name: input.name, schema: input.schema, ...(input.strict == null ? {} : { strict: input.strict }) };
}

function inRange(field: string, value: number | null | undefined, min: number, max: number): number | undefined {
  if (value == null) return undefined;
  if (!(value >= min && value <= max)) throw invalid(field, `expected a number from ${min} to ${max}, but got ${value}`);
  return value;
}

/** Validates a ChatInput and turns it into the domain request; BAD_USER_INPUT names the bad field. */
export function toChatRequest(input: ChatInputShape): GatewayChatRequest {
  const request: GatewayChatRequest = { model: input.model, messages: toMessages(input.messages) };
  const temperature = inRange('input.temperature', input.temperature, 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = inRange('input.topP', input.topP, 0, 1);
  if (topP !== undefined) request.topP = topP;
  const maxTokens = inRange('input.maxTokens', input.maxTokens, 1, 10_000_000);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  if (input.seed != null) request.seed = input.seed;
  if (input.user) request.user = input.user;
  if (input.cache != null) request.cache = input.cache;
  if (input.reasoning) request.reasoning = toReasoning(input.reasoning);
  if (input.stop?.length) {
    if (input.stop.length > MAX_STOP_SEQUENCES) throw invalid('input.stop', `expected at most ${MAX_STOP_SEQUENCES} sequences, but got ${input.stop.length}`);
    request.stop = [...input.stop];
  }
  if (input.tools?.length) request.tools = toTools(input.tools);
  if (input.toolChoice) request.toolChoice = toToolChoice(input.toolChoice, request.tools);
  if (input.responseFormat) request.responseFormat = toResponseFormat(input.responseFormat);
  return request;
}
