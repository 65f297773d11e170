import { GatewayError } from '../../errors/gateway-error.js';
import { reasoningBudget } from '../content-parts.js';
import type { ContentPart, ReasoningRequest } from '../contract.js';

/** Anthropic's smallest thinking budget, in tokens. */
const MIN_THINKING_BUDGET = 1_024;

function refuse(what: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', `Anthropic models cannot take ${what}.`, { details: { provider: 'anthropic' } });
}

/**
 * Parts as Anthropic content blocks: `image` (source `url` or `base64`) and
 * `document` (PDF as `base64`, plain text as a `text` source). Audio, and
 * documents of other types, are BAD_USER_INPUT: Anthropic takes neither.
 */
export function toAnthropicBlocks(parts: readonly ContentPart[]): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        // Anthropic rejects empty text blocks.
        if (part.text) blocks.push({ type: 'text', text: part.text });
        break;
      case 'image':
        blocks.push({
          type: 'image',
          source: part.url ? { type: 'url', url: part.url } : { type: 'base64', media_type: part.mediaType, data: part.base64 },
        });
        break;
      case 'file': {
        const title = part.name ? { title: part.name } : {};
        if (part.mediaType === 'application/pdf') {
          blocks.push({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: part.base64 }, ...title });
        } else if (part.mediaType === 'text/plain') {
          const data = Buffer.from(part.base64, 'base64').toString('utf8');
          blocks.push({ type: 'document', source: { type: 'text', media_type: 'text/plain', data }, ...title });
        } else {
          throw refuse(`${part.mediaType} files (only application/pdf and text/plain)`);
        }
        break;
      }
      case 'audio':
        throw refuse('audio parts');
    }
  }
  return blocks;
}

/**
 * `thinking` and the `max_tokens` that goes with it: Anthropic counts thinking
 * in `max_tokens`, which must exceed the budget. Without a caller's maxTokens the
 * answer keeps `defaultMaxTokens` on top of the budget; with one that leaves no
 * room, BAD_USER_INPUT.
 */
export function anthropicThinking(reasoning: ReasoningRequest, maxTokens: number | undefined, defaultMaxTokens: number) {
  const budget = Math.max(MIN_THINKING_BUDGET, reasoningBudget(reasoning));
  if (maxTokens !== undefined && maxTokens <= budget) {
    throw new GatewayError('BAD_USER_INPUT', `input.maxTokens: Anthropic counts thinking in maxTokens, so it must exceed the reasoning budget of ${budget} tokens, but got ${maxTokens}.`, {
      details: { field: 'input.maxTokens' },
    });
  }
  return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens: maxTokens ?? budget + defaultMaxTokens };
}
