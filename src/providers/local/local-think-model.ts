import { createHmac } from 'node:crypto';
import { textOf } from '../content-parts.js';
import type { ChatRequest, ReasoningTrace } from '../contract.js';

/** What the `think` demo model says: its reasoning (signed) and its answer. */
export interface ThinkAnswer {
  reasoning: Required<ReasoningTrace>;
  answer: string;
}

const SIGNATURE_PREFIX = 'local:';
/**
 * Not a secret: the demo model signs so that a signature round trip (the reasoning of one turn
 * sent back on the next) can be tried offline, and so that edited reasoning is noticed.
 */
const SIGNING_KEY = 'switchboard-local-think';
const QUOTE_LIMIT = 80;

/** The `think` model's signature of a reasoning text: `local:` and an HMAC of the text. */
export function signLocalReasoning(text: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', SIGNING_KEY).update(text, 'utf8').digest('base64url');
}

/** What the last assistant turn's reasoning is worth to the model: none, its own and intact, or its own but altered. */
function recallOf(request: ChatRequest): 'none' | 'recalled' | 'altered' {
  const earlier = request.messages.findLast((message) => message.role === 'assistant')?.reasoning;
  // A signature from another provider is not ours to check: ignored, as every adapter ignores foreign ones.
  if (!earlier?.signature?.startsWith(SIGNATURE_PREFIX)) return 'none';
  return earlier.signature === signLocalReasoning(earlier.text) ? 'recalled' : 'altered';
}

function quoted(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_LIMIT ? `${flat.slice(0, QUOTE_LIMIT - 1)}…` : flat;
}

/**
 * The `think` demo model: deterministic "thinking" about the last user message, signed, then a
 * one-sentence answer. When the last assistant turn carries its own reasoning back with a valid
 * signature, the answer says it recalls it (and says so when the reasoning was altered), so a
 * reasoning round trip is observable without a provider key.
 */
export function thinkAbout(request: ChatRequest): ThinkAnswer {
  const last = request.messages.findLast((message) => message.role === 'user');
  const said = quoted((last && textOf(last)) || '');
  const words = said ? said.split(' ').length : 0;
  const recall = recallOf(request);
  const steps = [
    said ? `The user wrote ${words} word${words === 1 ? '' : 's'}: "${said}".` : 'The user wrote nothing I can read.',
    recall === 'recalled' ? 'My reasoning from the previous turn came back with a valid signature, so I can build on it.' : undefined,
    recall === 'altered' ? 'Reasoning came back under my signature, but it was changed, so I must not trust it.' : undefined,
    'I will answer in one sentence and restate what they said.',
  ];
  const text = steps.filter((step) => step !== undefined).join(' ');
  const opening =
    recall === 'recalled'
      ? 'I recall my earlier reasoning (its signature checks out). '
      : recall === 'altered'
        ? 'The reasoning you sent back was altered, so I ignored it. '
        : '';
  const answer = said ? `${opening}You said: "${said}".` : `${opening}Say something and I will think about it.`;
  return { reasoning: { text, signature: signLocalReasoning(text) }, answer };
}
