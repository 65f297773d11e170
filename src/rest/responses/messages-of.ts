import type { ChatRole } from '../../providers/contract.js';
import type { ChatInputShape } from '../../schema/to-chat-request.js';
import { invalidParam as invalid, isObject } from '../check-params.js';

type Message = ChatInputShape['messages'][number];
type MutableMessage = { -readonly [K in keyof Message]: Message[K] } & { toolCalls?: { id: string; name: string; arguments: string }[] | null };

const TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);
/** Parts the domain request cannot carry yet: refused by name, never dropped. */
const MEDIA_PARTS = new Set(['input_image', 'input_file', 'input_audio']);

function roleOf(field: string, role: unknown): ChatRole {
  // `developer` is OpenAI's newer name for `system`.
  if (role === 'developer' || role === 'system') return 'system';
  if (role === 'user' || role === 'assistant') return role;
  throw invalid(field, 'expected "user", "assistant", "system" or "developer"');
}

/** A string, or text parts joined; media parts are a 400 naming the part. */
function textOf(field: string, content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(field, 'expected a string or an array of content parts');
  return content
    .map((part: unknown, index) => {
      const where = `${field}[${index}]`;
      if (!isObject(part) || typeof part.type !== 'string') throw invalid(where, 'expected a content part with a type');
      if (MEDIA_PARTS.has(part.type)) {
        throw invalid(`${where}.type`, `"${part.type}" parts are not supported by this gateway version yet; send text (input_text) only`);
      }
      if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
      if (!TEXT_PARTS.has(part.type) || typeof part.text !== 'string') throw invalid(`${where}.type`, `"${part.type.slice(0, 40)}" parts are not supported; send input_text`);
      return part.text;
    })
    .join('');
}

function itemTypeOf(item: Record<string, unknown>): string {
  if (typeof item.type === 'string') return item.type;
  return 'role' in item ? 'message' : '(none)';
}

/**
 * Responses `input` (a string, or items) → chat messages. Consecutive
 * `function_call` items join the assistant turn before them, as one message
 * with several tool calls; `function_call_output` items become tool messages.
 */
export function messagesOf(input: unknown, instructions: string | null): ChatInputShape['messages'] {
  const messages: MutableMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') return [...messages, { role: 'user', content: input }];
  if (!Array.isArray(input)) throw invalid('input', 'expected a string or an array of input items');
  input.forEach((item: unknown, index) => {
    const field = `input[${index}]`;
    if (!isObject(item)) throw invalid(field, 'expected an input item object');
    const type = itemTypeOf(item);
    switch (type) {
      case 'message':
        messages.push({ role: roleOf(`${field}.role`, item.role), content: textOf(`${field}.content`, item.content) });
        return;
      case 'function_call': {
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string') throw invalid(field, 'a function_call needs call_id and name');
        const call = { id: item.call_id, name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : '' };
        const last = messages.at(-1);
        if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call];
        else messages.push({ role: 'assistant', content: null, toolCalls: [call] });
        return;
      }
      case 'function_call_output':
        if (typeof item.call_id !== 'string') throw invalid(`${field}.call_id`, 'expected the call_id of the function_call it answers');
        messages.push({ role: 'tool', toolCallId: item.call_id, content: textOf(`${field}.output`, item.output) });
        return;
      case 'item_reference':
        throw invalid(`${field}.type`, 'item_reference needs stored responses, and this gateway is stateless: send the item itself (with the Vercel AI SDK, set providerOptions.openai.store to false)');
      default:
        throw invalid(`${field}.type`, `"${type.slice(0, 40)}" items are not supported; send message, function_call and function_call_output items`);
    }
  });
  return messages;
}
