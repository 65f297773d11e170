import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, ToolDefinition } from '../providers/contract.js';

/**
 * A canonical JSON text: object keys sorted (recursively), arrays in order,
 * `undefined` object fields omitted (like JSON.stringify), numbers as JSON numbers.
 * The same content always gives the same text, whatever the key order.
 */
export function stableStringify(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const fields = Object.keys(record)
        .filter((name) => record[name] !== undefined && typeof record[name] !== 'function')
        .sort()
        .map((name) => `${JSON.stringify(name)}:${stableStringify(record[name])}`);
      return `{${fields.join(',')}}`;
    }
    default:
      // bigint, symbol, function: not JSON; never part of a chat request.
      throw new TypeError(`cannot make a cache key from a ${typeof value}`);
  }
}

function toolCall(call: ToolCall) {
  return { id: call.id, name: call.name, arguments: call.arguments };
}

/** Inline bytes enter the key as their SHA-256, so the canonical text stays small whatever the images weigh. */
function part(p: ContentPart) {
  if (p.type === 'text') return p;
  const { base64, ...rest } = p;
  return base64 === undefined ? rest : { ...rest, sha256: createHash('sha256').update(base64).digest('hex') };
}

function message(m: ChatMessage) {
  // Reasoning sent back changes what the model does next (a signed trace may be honoured or not), so it keys too.
  const reasoning = m.reasoning && { text: m.reasoning.text, signature: m.reasoning.signature };
  return { role: m.role, content: m.content, parts: m.parts?.map(part), name: m.name, toolCallId: m.toolCallId, toolCalls: m.toolCalls?.map(toolCall), reasoning };
}

function tool(t: ToolDefinition) {
  return { name: t.name, description: t.description, parameters: t.parameters };
}

/**
 * Only what changes the answer: `user`, the caller's `cache` flag and anything
 * not listed here are left out, so they never split (or join) cache entries.
 */
function normalize(request: ChatRequest) {
  return {
    model: request.model,
    messages: request.messages.map(message),
    temperature: request.temperature,
    topP: request.topP,
    maxTokens: request.maxTokens,
    stop: request.stop,
    seed: request.seed,
    tools: request.tools?.map(tool),
    toolChoice: request.toolChoice,
    responseFormat: request.responseFormat,
    reasoning: request.reasoning,
  };
}

/**
 * The completion cache key: `${scopeId}:${sha256 hex of the normalized request}`.
 * `scopeId` is the API key id (scope `key`) or `*` (scope `global`), so callers
 * in different scopes never share an entry.
 */
export function completionKey(request: ChatRequest, scopeId: string): string {
  const digest = createHash('sha256').update(stableStringify(normalize(request))).digest('hex');
  return `${scopeId}:${digest}`;
}
