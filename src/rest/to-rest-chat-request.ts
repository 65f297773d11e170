import { GatewayError, isGatewayError } from '../errors.js';
import { toChatRequest, type ChatInputShape } from '../schema/to-chat-request.js';
import type { GatewayChatRequest } from '../services/chat-types.js';

const FIELD = /^input\.([A-Za-z]+)(.*)$/;

/**
 * `toChatRequest` with its errors speaking the endpoint's language: the graph's
 * `input.topP` becomes the body's `top_p` (in the message and in `param`).
 * `params` maps ChatInput fields to body parameters; a mapped name ending in
 * `!` takes no sub-path (the body's shape differs below it).
 */
export function toRestChatRequest(input: ChatInputShape, params: Readonly<Record<string, string>>): GatewayChatRequest {
  try {
    return toChatRequest(input);
  } catch (error: unknown) {
    const field = isGatewayError(error) ? error.details.field : undefined;
    const match = typeof field === 'string' ? FIELD.exec(field) : null;
    const mapped = match?.[1] ? params[match[1]] : undefined;
    if (!isGatewayError(error) || !match || !mapped || typeof field !== 'string') throw error;
    const param = mapped.endsWith('!') ? mapped.slice(0, -1) : `${mapped}${match[2] ?? ''}`;
    throw new GatewayError(error.code, error.message.replace(field, param), { details: { ...error.details, field: param, param }, cause: error });
  }
}
