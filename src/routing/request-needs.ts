import type { ModelCapability } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatRequest } from '../providers/contract.js';

/** A capability a request needs beyond chat or streaming, and what in it needs it. */
export interface Need {
  capability: ModelCapability;
  /** What the caller sent, as the error names it: "image parts", "reasoning" … */
  what: string;
}

const PART_NEEDS: Record<'image' | 'file' | 'audio', Need> = {
  image: { capability: 'vision', what: 'image parts' },
  file: { capability: 'files', what: 'file parts' },
  audio: { capability: 'audio', what: 'audio parts' },
};
const REASONING: Need = { capability: 'reasoning', what: 'reasoning' };

/**
 * The capabilities a request needs (images → VISION, files → FILES, audio →
 * AUDIO, `reasoning` → REASONING), in a fixed order. Refuses a message with more
 * than `maxPartsPerMessage` parts (`limits.maxPartsPerMessage`).
 */
export function needsOf(request: ChatRequest, maxPartsPerMessage: number): Need[] {
  const kinds = new Set<string>();
  request.messages.forEach((message, index) => {
    if (!message.parts) return;
    if (message.parts.length > maxPartsPerMessage) {
      throw new GatewayError('BAD_USER_INPUT', `input.messages[${index}].parts: expected at most ${maxPartsPerMessage} parts, but got ${message.parts.length}`, {
        details: { field: `input.messages[${index}].parts`, maxPartsPerMessage },
      });
    }
    for (const part of message.parts) kinds.add(part.type);
  });
  const needs = (['image', 'file', 'audio'] as const).filter((kind) => kinds.has(kind)).map((kind) => PART_NEEDS[kind]);
  if (request.reasoning) needs.push(REASONING);
  return needs;
}
