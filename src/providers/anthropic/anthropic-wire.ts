import type { ChatMessage, ChatRequest, FinishReason, ResponseFormat, TokenUsage, ToolChoice } from '../contract.js';
import { anthropicThinking, toAnthropicBlocks } from './anthropic-parts.js';
import { thinkingBlocksOf } from './anthropic-thinking.js';

/** The subset of the Anthropic Messages wire format the adapter reads and writes. */
export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface AnthropicContentBlock {
  type?: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  /** `thinking` blocks: the reasoning text and the signature that lets it be sent back. */
  thinking?: string;
  signature?: string;
  /** `redacted_thinking` blocks: encrypted reasoning, no text. */
  data?: string;
}

/** A complete `message` (non-streamed answer, and the `message` of `message_start`). */
export interface AnthropicMessage {
  type?: string;
  id?: string;
  model?: string;
  content?: AnthropicContentBlock[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/** One streamed event's data; every event type carries its own name in `type`. */
export interface AnthropicStreamEvent {
  type?: string;
  index?: number;
  message?: AnthropicMessage;
  content_block?: AnthropicContentBlock;
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; signature?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

type WireBlock = Record<string, unknown>;
interface WireMessage {
  role: 'user' | 'assistant';
  content: WireBlock[];
}

/** Tool arguments arrive as JSON text; Anthropic wants an object. Bad JSON degrades to `{}`. */
function parseArguments(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function blocksOf(message: ChatMessage): WireBlock[] {
  if (message.role === 'tool') {
    return [{ type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content ?? '' }];
  }
  // An assistant turn's thinking goes back first, before its text and tool_use blocks: the API
  // requires it (signed) to continue a tool-use turn with thinking on. Other providers' reasoning is not sent.
  const thinking = message.role === 'assistant' ? thinkingBlocksOf(message.reasoning) : [];
  if (message.parts) return [...thinking, ...toAnthropicBlocks(message.parts)];
  // Anthropic rejects empty text blocks, so an empty content is simply left out.
  const blocks: WireBlock[] = [...thinking, ...(message.content ? [{ type: 'text', text: message.content }] : [])];
  for (const call of message.toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseArguments(call.arguments) });
  }
  return blocks;
}

/**
 * Anthropic requires user/assistant turns to alternate, so consecutive messages of
 * one role (typically several tool results) merge into one message's blocks.
 */
function toWireMessages(messages: ChatMessage[]): WireMessage[] {
  const wire: WireMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message);
    if (blocks.length === 0) continue;
    const last = wire.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else wire.push({ role, content: blocks });
  }
  return wire;
}

/**
 * Anthropic has no native JSON mode, so a JSON response format becomes an
 * instruction appended to the system prompt (best effort, not a guarantee).
 */
function jsonInstruction(format: ResponseFormat | undefined): string | undefined {
  if (!format || format.type === 'text') return undefined;
  const base = 'Respond with a single JSON object only, with no prose or code fences around it.';
  return format.type === 'json_schema'
    ? `${base} It must conform to this JSON Schema (${format.name}): ${JSON.stringify(format.schema)}`
    : base;
}

function toolChoiceToWire(choice: ToolChoice): Record<string, unknown> {
  if (choice.type === 'tool') return { type: 'tool', name: choice.name };
  return { type: choice.type === 'required' ? 'any' : choice.type };
}

/**
 * Builds the Messages API body. `max_tokens` is mandatory upstream, hence the
 * default; `seed` and message `name`s have no Anthropic equivalent and are dropped.
 */
export function toAnthropicBody(request: ChatRequest, stream: boolean, defaultMaxTokens = 4096): Record<string, unknown> {
  const systemParts = request.messages.filter((m) => m.role === 'system' && m.content).map((m) => m.content as string);
  const instruction = jsonInstruction(request.responseFormat);
  if (instruction) systemParts.push(instruction);

  const thinking = request.reasoning ? anthropicThinking(request.reasoning, request.maxTokens, defaultMaxTokens) : undefined;
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: thinking?.maxTokens ?? request.maxTokens ?? defaultMaxTokens,
    messages: toWireMessages(request.messages).map((m) => {
      const only = m.content[0];
      // A lone text block is sent as the plain-string shorthand: smaller and easier to read in logs.
      return m.content.length === 1 && only?.type === 'text' ? { role: m.role, content: only.text } : m;
    }),
  };
  if (systemParts.length) body.system = systemParts.join('\n\n');
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop?.length) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.parameters ?? { type: 'object', properties: {} },
    }));
  }
  if (request.toolChoice) body.tool_choice = toolChoiceToWire(request.toolChoice);
  if (thinking) body.thinking = thinking.thinking;
  if (stream) body.stream = true;
  return body;
}

/**
 * Prompt tokens include cached ones: Anthropic reports cache reads and writes apart from
 * `input_tokens`; cache reads are the cached prompt tokens. Anthropic does not count thinking
 * apart from `output_tokens`, so no reasoning tokens.
 */
export function usageFromAnthropic(usage: AnthropicUsage | undefined): TokenUsage {
  const result: TokenUsage = {
    promptTokens:
      (usage?.input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0),
    completionTokens: usage?.output_tokens ?? 0,
  };
  if (typeof usage?.cache_read_input_tokens === 'number') result.cachedPromptTokens = usage.cache_read_input_tokens;
  return result;
}

/** Anthropic's stop reasons to ours. */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}
