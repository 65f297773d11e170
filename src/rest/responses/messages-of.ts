import type { ChatRole, ReasoningTrace } from '../../providers/contract.js';
import type { ChatInputShape } from '../../schema/to-chat-request.js';
import { invalidParam as invalid, isObject, type Body } from '../check-params.js';
import { contentOf } from './content-of.js';

type Message = ChatInputShape['messages'][number];
type MutableMessage = { -readonly [K in keyof Message]: Message[K] };

function roleOf(field: string, role: unknown): ChatRole {
  // `developer` is OpenAI's newer name for `system`.
  if (role === 'developer' || role === 'system') return 'system';
  if (role === 'user' || role === 'assistant') return role;
  throw invalid(field, 'expected "user", "assistant", "system" or "developer"');
}

function itemTypeOf(item: Record<string, unknown>): string {
  if (typeof item.type === 'string') return item.type;
  return 'role' in item ? 'message' : '(none)';
}

/** Text parts of one kind (`summary_text`, `reasoning_text`) of a reasoning item, joined. */
function textsOf(field: string, parts: unknown, type: string, separator: string): string | undefined {
  if (parts == null) return undefined;
  if (!Array.isArray(parts)) throw invalid(field, `expected an array of ${type} parts`);
  return parts
    .map((part: unknown, index) => {
      if (!isObject(part) || part.type !== type || typeof part.text !== 'string') throw invalid(`${field}[${index}]`, `expected {type: "${type}", text}`);
      return part.text;
    })
    .join(separator);
}

/**
 * A `reasoning` item as the turn's reasoning: its raw `content` text when it has
 * some, else its summaries; `encrypted_content` is the provider's signature the
 * gateway handed out (include: ["reasoning.encrypted_content"]).
 */
function reasoningOf(field: string, item: Body): ReasoningTrace {
  const content = textsOf(`${field}.content`, item.content, 'reasoning_text', '');
  const summary = textsOf(`${field}.summary`, item.summary, 'summary_text', '\n\n');
  if (item.encrypted_content != null && typeof item.encrypted_content !== 'string') throw invalid(`${field}.encrypted_content`, 'expected a string');
  const trace: ReasoningTrace = { text: content || summary || '' };
  if (item.encrypted_content) trace.signature = item.encrypted_content as string;
  return trace;
}

/** Two reasoning items of one turn: texts joined, the later signature wins (it covers the turn so far). */
function merge(first: ReasoningTrace | undefined, second: ReasoningTrace): ReasoningTrace {
  if (!first) return second;
  const merged: ReasoningTrace = { text: [first.text, second.text].filter(Boolean).join('\n\n') };
  const signature = second.signature ?? first.signature;
  if (signature) merged.signature = signature;
  return merged;
}

/**
 * Responses `input` (a string, or items) → chat messages. Consecutive
 * `function_call` items join the assistant turn before them, as one message
 * with several tool calls; `function_call_output` items become tool messages;
 * a `reasoning` item belongs to the assistant output that follows it.
 */
export function messagesOf(input: unknown, instructions: string | null): Message[] {
  const messages: MutableMessage[] = [];
  // A reasoning item waiting for the assistant output it belongs to, and where it was.
  let pending: { reasoning: ReasoningTrace; field: string } | undefined;
  const traces = new Map<MutableMessage, ReasoningTrace>();
  const takeReasoning = (message: MutableMessage) => {
    if (!pending) return;
    const trace = merge(traces.get(message), pending.reasoning);
    traces.set(message, trace);
    message.reasoning = trace.text;
    message.reasoningSignature = trace.signature ?? null;
    pending = undefined;
  };
  const refuseOrphan = () => {
    if (pending) throw invalid(pending.field, 'a reasoning item must be followed by the assistant message or function_call it belongs to');
  };
  if (instructions) messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') return [...messages, { role: 'user', content: input }];
  if (!Array.isArray(input)) throw invalid('input', 'expected a string or an array of input items');
  input.forEach((item: unknown, index) => {
    const field = `input[${index}]`;
    if (!isObject(item)) throw invalid(field, 'expected an input item object');
    const type = itemTypeOf(item);
    switch (type) {
      case 'message': {
        const role = roleOf(`${field}.role`, item.role);
        const message: MutableMessage = { role, ...contentOf(`${field}.content`, role, item.content) };
        if (role === 'assistant') takeReasoning(message);
        else refuseOrphan();
        messages.push(message);
        return;
      }
      case 'function_call': {
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string') throw invalid(field, 'a function_call needs call_id and name');
        const call = { id: item.call_id, name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : '' };
        const last = messages.at(-1);
        const turn: MutableMessage = last?.role === 'assistant' ? last : { role: 'assistant', content: null };
        if (turn !== last) messages.push(turn);
        turn.toolCalls = [...(turn.toolCalls ?? []), call];
        takeReasoning(turn);
        return;
      }
      case 'function_call_output': {
        refuseOrphan();
        if (typeof item.call_id !== 'string') throw invalid(`${field}.call_id`, 'expected the call_id of the function_call it answers');
        const output = contentOf(`${field}.output`, 'tool', item.output);
        messages.push({ role: 'tool', toolCallId: item.call_id, ...output });
        return;
      }
      case 'reasoning': {
        const reasoning = reasoningOf(field, item);
        pending = { reasoning: merge(pending?.reasoning, reasoning), field: pending?.field ?? field };
        return;
      }
      case 'item_reference':
        throw invalid(`${field}.type`, 'item_reference needs stored responses, and this gateway is stateless: send the item itself (with the Vercel AI SDK, set providerOptions.openai.store to false)');
      default:
        throw invalid(`${field}.type`, `"${type.slice(0, 40)}" items are not supported; send message, reasoning, function_call and function_call_output items`);
    }
  });
  refuseOrphan();
  return messages;
}
