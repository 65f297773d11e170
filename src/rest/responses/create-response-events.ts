import type { ChatStreamEvent, ToolCallDelta } from '../../services/chat-types.js';
import type { OpenAIError } from '../openai-error.js';
import type { SseRenderer } from '../relay-as-sse.js';
import { newId, outputText, reasoningItem, statusOf, summaryText, toResponseJson, type OutputItem, type ReasoningItem, type ResponseState } from './to-response-json.js';
import type { ResponsesEcho } from './to-responses-input.js';

type MessageItem = Extract<OutputItem, { type: 'message' }>;
type CallItem = Extract<OutputItem, { type: 'function_call' }>;

/**
 * Renders chat events as the Responses API's stream: `response.created`,
 * `response.in_progress`, then per output item `output_item.added` → deltas →
 * `…done` events → `output_item.done`, and last `response.completed` (or
 * `incomplete`/`failed`) carrying the full response and its usage. Every event
 * has a `sequence_number`; each item is closed before the next one opens —
 * except a reasoning item whose signature was asked for (`encryptedReasoning`):
 * the service hands the signature over only with the last event, so that item's
 * `output_item.done` (carrying `encrypted_content`) comes just before the end.
 */
export function createResponseEvents(echo: ResponsesEcho, id: string, createdAt: number, encryptedReasoning = false): SseRenderer {
  let sequence = 0;
  let state: ResponseState | undefined;
  let open: { item: MessageItem | ReasoningItem } | { item: CallItem; index: number } | undefined;
  const awaitingSignature: ReasoningItem[] = [];
  const frame = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const snapshot = () => toResponseJson(state as ResponseState, echo);
  const indexOf = (item: OutputItem) => (state as ResponseState).output.indexOf(item);

  function openItem(out: string[], item: OutputItem): number {
    const current = state as ResponseState;
    current.output.push(item);
    const outputIndex = current.output.length - 1;
    // Parts arrive by their own `…part.added` events: the item opens empty.
    const empty = item.type === 'message' ? { content: [] } : item.type === 'reasoning' ? { summary: [] } : {};
    out.push(frame('response.output_item.added', { output_index: outputIndex, item: { ...item, ...empty } }));
    return outputIndex;
  }

  function itemDone(out: string[], item: OutputItem): void {
    item.status = 'completed';
    out.push(frame('response.output_item.done', { output_index: indexOf(item), item }));
  }

  function closeOpen(out: string[]): void {
    if (!open) return;
    const outputIndex = indexOf(open.item);
    const { item } = open;
    open = undefined;
    if (item.type === 'reasoning') {
      const part = item.summary[0] ?? summaryText('');
      const at = { item_id: item.id, output_index: outputIndex, summary_index: 0 };
      out.push(frame('response.reasoning_summary_text.done', { ...at, text: part.text }));
      out.push(frame('response.reasoning_summary_part.done', { ...at, part }));
      if (encryptedReasoning) {
        awaitingSignature.push(item);
        return;
      }
    } else if (item.type === 'message') {
      const part = item.content[0] ?? outputText('');
      const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      out.push(frame('response.output_text.done', { ...at, text: part.text, logprobs: [] }));
      out.push(frame('response.content_part.done', { ...at, part }));
    } else {
      out.push(frame('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments }));
    }
    itemDone(out, item);
  }

  function reasoning(out: string[], delta: string): void {
    if (open?.item.type !== 'reasoning') {
      closeOpen(out);
      const item: ReasoningItem = { ...reasoningItem('', encryptedReasoning), status: 'in_progress', summary: [] };
      const outputIndex = openItem(out, item);
      item.summary.push(summaryText(''));
      out.push(frame('response.reasoning_summary_part.added', { item_id: item.id, output_index: outputIndex, summary_index: 0, part: summaryText('') }));
      open = { item };
    }
    const item = open.item as ReasoningItem;
    (item.summary[0] as ReturnType<typeof summaryText>).text += delta;
    out.push(frame('response.reasoning_summary_text.delta', { item_id: item.id, output_index: indexOf(item), summary_index: 0, delta }));
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
    if (delta) out.push(frame('response.output_text.delta', { item_id: item.id, output_index: indexOf(item), content_index: 0, delta, logprobs: [] }));
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
      out.push(frame('response.function_call_arguments.delta', { item_id: item.id, output_index: indexOf(item), delta: delta.argumentsDelta }));
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
      if (event.reasoningDelta) reasoning(out, event.reasoningDelta);
      if (event.delta) text(out, event.delta);
      for (const delta of event.toolCallDeltas ?? []) toolCall(out, delta);
      if (event.done) {
        // An answer is never only reasoning: like a non-streamed one, it has at least an (empty) message.
        if (state.output.every((item) => item.type === 'reasoning')) text(out, '');
        closeOpen(out);
        for (const item of awaitingSignature.splice(0)) {
          item.encrypted_content = event.reasoningSignature;
          itemDone(out, item);
        }
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
