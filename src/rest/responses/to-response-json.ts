import { randomBytes } from 'node:crypto';
import type { FinishReason } from '../../providers/contract.js';
import type { ChatCompletion, CompletionUsage } from '../../services/chat-types.js';
import type { ResponsesEcho } from './to-responses-input.js';

/** An id in OpenAI's style: a prefix and 24 random bytes in hex. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(24).toString('hex')}`;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface SummaryText {
  type: 'summary_text';
  text: string;
}

/**
 * A reasoning item. The model's reasoning, as its provider returns it, is the
 * item's one summary part: the field every client reads (OpenAI shows only
 * summaries). `encrypted_content` is present when the request included it.
 */
export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  status: 'in_progress' | 'completed';
  summary: SummaryText[];
  encrypted_content?: string | null;
}

export type OutputItem =
  | ReasoningItem
  | { type: 'message'; id: string; status: 'in_progress' | 'completed'; role: 'assistant'; content: OutputText[] }
  | { type: 'function_call'; id: string; status: 'in_progress' | 'completed'; call_id: string; name: string; arguments: string };

export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export const summaryText = (text: string): SummaryText => ({ type: 'summary_text', text });

/** A reasoning item; with `encrypted`, it carries the signature (null when the provider gave none). */
export function reasoningItem(text: string, encrypted: boolean, signature: string | null = null): ReasoningItem {
  return { type: 'reasoning', id: newId('rs'), status: 'completed', summary: [summaryText(text)], ...(encrypted ? { encrypted_content: signature } : {}) };
}

/** Usage as the Responses API reports it, with the cached and reasoning shares (0 when the upstream does not say). */
export function responseUsage(usage: CompletionUsage) {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
}

/** A finish reason as the response's final status. */
export function statusOf(reason: FinishReason): { status: ResponseStatus; incomplete: { reason: string } | null } {
  if (reason === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

export interface ResponseState {
  id: string;
  createdAt: number;
  model: string;
  status: ResponseStatus;
  output: OutputItem[];
  usage: CompletionUsage | null;
  incomplete?: { reason: string } | null;
  error?: { code: string; message: string } | null;
}

/** A full `response` object: the state plus the request's settings echoed, as OpenAI returns it. */
export function toResponseJson(state: ResponseState, echo: ResponsesEcho) {
  return {
    id: state.id,
    object: 'response' as const,
    created_at: state.createdAt,
    status: state.status,
    error: state.error ?? null,
    incomplete_details: state.incomplete ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    model: state.model,
    output: state.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: echo.reasoning,
    store: false,
    temperature: echo.temperature,
    text: { format: echo.textFormat },
    tool_choice: echo.toolChoice,
    tools: echo.tools,
    top_p: echo.topP,
    truncation: 'disabled' as const,
    usage: state.usage ? responseUsage(state.usage) : null,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/**
 * The output items of a complete answer: its reasoning (if any), its text (if
 * any, or if nothing else), then one item per tool call.
 */
export function outputOf(completion: Pick<ChatCompletion, 'content' | 'toolCalls' | 'reasoning'>, encryptedReasoning: boolean): OutputItem[] {
  const items: OutputItem[] = [];
  const { reasoning } = completion;
  if (reasoning && (reasoning.text || reasoning.signature)) items.push(reasoningItem(reasoning.text, encryptedReasoning, reasoning.signature ?? null));
  if (completion.content || completion.toolCalls.length === 0) {
    items.push({ type: 'message', id: newId('msg'), status: 'completed', role: 'assistant', content: [outputText(completion.content ?? '')] });
  }
  for (const call of completion.toolCalls) {
    items.push({ type: 'function_call', id: newId('fc'), status: 'completed', call_id: call.id, name: call.name, arguments: call.arguments });
  }
  return items;
}
