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

export type OutputItem =
  | { type: 'message'; id: string; status: 'in_progress' | 'completed'; role: 'assistant'; content: OutputText[] }
  | { type: 'function_call'; id: string; status: 'in_progress' | 'completed'; call_id: string; name: string; arguments: string };

export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [], logprobs: [] });

/** Usage as the Responses API reports it (the gateway knows no cached or reasoning share yet: 0). */
export function responseUsage(usage: CompletionUsage) {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
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
    reasoning: { effort: null, summary: null },
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

/** The output items of a complete answer: its text (if any, or if nothing else), then one item per tool call. */
export function outputOf(completion: Pick<ChatCompletion, 'content' | 'toolCalls'>): OutputItem[] {
  const items: OutputItem[] = [];
  if (completion.content || completion.toolCalls.length === 0) {
    items.push({ type: 'message', id: newId('msg'), status: 'completed', role: 'assistant', content: [outputText(completion.content ?? '')] });
  }
  for (const call of completion.toolCalls) {
    items.push({ type: 'function_call', id: newId('fc'), status: 'completed', call_id: call.id, name: call.name, arguments: call.arguments });
  }
  return items;
}
