import type { ChatStreamEvent, ToolCallDelta } from '../../services/chat-types.js';
import type { OpenAIError } from '../openai-error.js';
import type { SseRenderer } from '../relay-as-sse.js';
import { newId, outputText, statusOf, toResponseJson, type OutputItem, type ResponseState } from './to-response-json.js';
import type { ResponsesEcho } from './to-responses-input.js';

type MessageItem = Extract<OutputItem, { type: 'message' }>;
type CallItem = Extract<OutputItem, { type: 'function_call' }>;

/**
 * Renders chat events as the Responses API's stream: `response.created`,
 * `response.in_progress`, then per output item `output_item.added` → deltas →
 * `…done` events → `output_item.done`, and last `response.completed` (or
 * `incomplete`/`failed`) carrying the full response and its usage. Every event
 * has a `sequence_number`; each item is closed before the next one opens.
 */
export function createResponseEvents(echo: ResponsesEcho, id: string, createdAt: number): SseRenderer {
  let sequence = 0;
  let state: ResponseState | undefined;
  let open: { item: MessageItem } | { item: CallItem; index: number } | undefined;
  const frame = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const snapshot = () => toResponseJson(state as ResponseState, echo);

  function openItem(out: string[], item: OutputItem): number {
    const current = state as ResponseState;
    current.output.push(item);
    const outputIndex = current.output.length - 1;
    out.push(frame('response.output_item.added', { output_index: outputIndex, item: { ...item, ...(item.type === 'message' ? { content: [] } : {}) } }));
    return outputIndex;
  }

  function closeOpen(out: string[]): void {
    if (!open) return;
    const outputIndex = (state as ResponseState).output.indexOf(open.item);
    const { item } = open;
    open = undefined;
    item.status = 'completed';
    if (item.type === 'message') {
      const part = item.content[0] ?? outputText('');
      const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      out.push(frame('response.output_text.done', { ...at, text: part.text, logprobs: [] }));
      out.push(frame('response.content_part.done', { ...at, part }));
    } else {
      out.push(frame('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments }));
    }
    out.push(frame('response.output_item.done', { output_index: outputIndex, item }));
  }

  function text(out: string[], delta: string): void {
    if (open?.item.type !== 'message') {
      closeOpen(out);
      const item: MessageItem = { type: 'message', id: newId('msg'), status: 'in_progress', role: 'assistant', content: [] };
      const outputIndex = openItem(out, item);
      item.content.push(outputText(''));
      out.push(frame('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part: outputText('') }));
      open = { item };
    }
    const item = open.item as MessageItem;
    const part = item.content[0] as ReturnType<typeof outputText>;
    part.text += delta;
    if (delta) {
      const outputIndex = (state as ResponseState).output.indexOf(item);
      out.push(frame('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta, logprobs: [] }));
    }
  }

  function toolCall(out: string[], delta: ToolCallDelta): void {
    if (!(open && 'index' in open && open.index === delta.index)) {
      closeOpen(out);
      const item: CallItem = { type: 'function_call', id: newId('fc'), status: 'in_progress', call_id: delta.id ?? newId('call'), name: delta.name ?? '', arguments: '' };
      openItem(out, item);
      open = { item, index: delta.index };
    }
    const item = open.item as CallItem;
    if (delta.argumentsDelta) {
      item.arguments += delta.argumentsDelta;
      const outputIndex = (state as ResponseState).output.indexOf(item);
      out.push(frame('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: delta.argumentsDelta }));
    }
  }

  return {
    frames(event: ChatStreamEvent): string[] {
      const out: string[] = [];
      if (!state) {
        state = { id, createdAt, model: event.model, status: 'in_progress', output: [], usage: null };
        out.push(frame('response.created', { response: snapshot() }));
        out.push(frame('response.in_progress', { response: snapshot() }));
      }
      if (event.delta) text(out, event.delta);
      for (const delta of event.toolCallDeltas ?? []) toolCall(out, delta);
      if (event.done) {
        if (state.output.length === 0) text(out, '');
        closeOpen(out);
        const { status, incomplete } = statusOf(event.finishReason ?? 'stop');
        Object.assign(state, { status, incomplete, usage: event.usage });
        out.push(frame(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: snapshot() }));
      }
      return out;
    },
    end: () => [],
    fail(shaped: OpenAIError): string[] {
      if (!state) return [];
      const out: string[] = [];
      // Items cut short stay in_progress: their text is partial.
      open = undefined;
      Object.assign(state, { status: 'failed', error: { code: shaped.body.error.code ?? 'server_error', message: shaped.body.error.message } });
      out.push(frame('response.failed', { response: snapshot() }));
      return out;
    },
  };
}
