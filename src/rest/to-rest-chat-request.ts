import { GatewayError, isGatewayError } from '../errors.js';
import type { ReasoningTrace } from '../providers/contract.js';
import { toChatRequest, type ChatInputShape } from '../schema/to-chat-request.js';
import type { GatewayChatRequest } from '../services/chat-types.js';

const FIELD = /^input\.([A-Za-z]+)(.*)$/;

/** A message as a REST body gives it: ChatInput's, plus the reasoning an assistant turn carries back. */
export type RestChatMessage = ChatInputShape['messages'][number] & { reasoning?: ReasoningTrace | null };

/** ChatInput as a REST endpoint builds it (its messages may carry reasoning). */
export interface RestChatInput extends Omit<ChatInputShape, 'messages'> {
  messages: readonly RestChatMessage[];
}

/**
 * `toChatRequest` with its errors speaking the endpoint's language: the graph's
 * `input.topP` becomes the body's `top_p` (in the message and in `param`).
 * `params` maps ChatInput fields to body parameters; a mapped name ending in
 * `!` takes no sub-path (the body's shape differs below it). Each message's
 * reasoning (checked by the endpoint: assistant turns only) is carried over.
 */
export function toRestChatRequest(input: RestChatInput, params: Readonly<Record<string, string>>): GatewayChatRequest {
  let request: GatewayChatRequest;
  try {
    request = toChatRequest(input);
  } catch (error: unknown) {
    const field = isGatewayError(error) ? error.details.field : undefined;
    const match = typeof field === 'string' ? FIELD.exec(field) : null;
    const mapped = match?.[1] ? params[match[1]] : undefined;
    if (!isGatewayError(error) || !match || !mapped || typeof field !== 'string') throw error;
    const param = mapped.endsWith('!') ? mapped.slice(0, -1) : `${mapped}${match[2] ?? ''}`;
    throw new GatewayError(error.code, error.message.replace(field, param), { details: { ...error.details, field: param, param }, cause: error });
  }
  // toChatRequest maps messages one to one, in order.
  input.messages.forEach((message, index) => {
    const target = request.messages[index];
    if (message.reasoning && target) target.reasoning = message.reasoning;
  });
  return request;
}
