import type { ChatMessage, ChatRequest, FinishReason, ToolChoice } from '../contract.js';
import { geminiThinkingConfig, toGeminiParts } from './gemini-parts.js';
import { withThoughtSignatures } from './gemini-thoughts.js';

/** The subset of the Gemini `generateContent` wire format the adapter reads and writes. */
export interface GeminiPart {
  text?: string;
  /** True for thought summaries, which are not part of the answer. */
  thought?: boolean;
  /** Opaque proof of the model's thinking, to send back on the same part of the turn. */
  thoughtSignature?: string;
  functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
  functionResponse?: { name: string; response: Record<string, unknown> };
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
}

export interface GeminiContent {
  role?: string;
  parts?: GeminiPart[];
}

export interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  content?: GeminiContent;
  finishReason?: string;
  index?: number;
}

/** A `GenerateContentResponse`: a whole answer, or one streamed chunk of it. */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  modelVersion?: string;
  responseId?: string;
  error?: { code?: number; message?: string; status?: string };
}

/** Gemini wants an object as `response`; tool output is text that is usually, not always, JSON. */
function toolResult(content: string | null): Record<string, unknown> {
  const text = content ?? '';
  try {
    return { content: JSON.parse(text) as unknown };
  } catch {
    return { content: text };
  }
}

function partsOf(message: ChatMessage, toolNames: Map<string, string>): GeminiPart[] {
  const parts = contentPartsOf(message, toolNames);
  return message.role === 'assistant' ? withThoughtSignatures(parts, message.reasoning) : parts;
}

function contentPartsOf(message: ChatMessage, toolNames: Map<string, string>): GeminiPart[] {
  if (message.role === 'tool') {
    // Gemini matches results to calls by function name, which our tool messages do not carry.
    const name = (message.toolCallId && toolNames.get(message.toolCallId)) || message.name || message.toolCallId || 'tool';
    return [{ functionResponse: { name, response: toolResult(message.content) } }];
  }
  if (message.parts) return toGeminiParts(message.parts);
  // Gemini rejects empty text parts, so an empty message contributes none.
  const parts: GeminiPart[] = message.content ? [{ text: message.content }] : [];
  for (const call of message.toolCalls ?? []) {
    toolNames.set(call.id, call.name);
    let args: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(call.arguments);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
    } catch {
      // Truncated arguments (a length cut-off) still have to go back as an object.
    }
    parts.push({ functionCall: { name: call.name, args } });
  }
  return parts;
}

function toolConfigOf(choice: ToolChoice): Record<string, unknown> {
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
}

/**
 * Builds the `generateContent` body (the model goes in the URL, not here); omits
 * every field the caller did not set. System messages become `systemInstruction`,
 * and consecutive same-role turns merge because Gemini expects roles to alternate
 * (parallel tool results must share one `user` turn).
 */
export function toGeminiBody(request: ChatRequest): Record<string, unknown> {
  const system: string[] = [];
  const contents: { role: 'user' | 'model'; parts: GeminiPart[] }[] = [];
  const toolNames = new Map<string, string>();
  for (const message of request.messages) {
    if (message.role === 'system') {
      if (message.content) system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = partsOf(message, toolNames);
    if (parts.length === 0) continue;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }

  const body: Record<string, unknown> = { contents };
  if (system.length) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const config: Record<string, unknown> = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.stop?.length) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  const format = request.responseFormat;
  if (format && format.type !== 'text') {
    config.responseMimeType = 'application/json';
    // `responseJsonSchema` takes plain JSON Schema; `responseSchema` only an OpenAPI subset.
    if (format.type === 'json_schema') config.responseJsonSchema = format.schema;
  }
  if (request.reasoning) config.thinkingConfig = geminiThinkingConfig(request.reasoning);
  if (Object.keys(config).length) body.generationConfig = config;
  if (request.tools?.length) {
    const functionDeclarations = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      // Same reason as above: client tool schemas are JSON Schema (additionalProperties, $ref …).
      ...(tool.parameters === undefined ? {} : { parametersJsonSchema: tool.parameters }),
    }));
    body.tools = [{ functionDeclarations }];
  }
  if (request.toolChoice) body.toolConfig = toolConfigOf(request.toolChoice);
  return body;
}

const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);

/**
 * Gemini's finish reasons to ours. Gemini ends a function-calling answer with
 * plain `STOP`, so the caller says whether the answer contained function calls.
 */
export function mapGeminiFinishReason(reason: string | null | undefined, sawFunctionCall: boolean): FinishReason {
  if (reason === 'STOP') return sawFunctionCall ? 'tool_calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && FILTERED.has(reason)) return 'content_filter';
  return 'other';
}
