import type { ChatMessage, ContentPart, ReasoningEffort, ReasoningRequest } from './contract.js';

/** A `data:` URL for base64 bytes: how OpenAI-compatible APIs take inline images and files. */
export function dataUrl(mediaType: string, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}

/** Bytes that a base64 text decodes to, without decoding it. */
export function decodedBytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
}

/** A message's text: its `content`, or its text parts joined by blank lines. */
export function textOf(message: ChatMessage): string {
  if (!message.parts) return message.content ?? '';
  return message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
}

/** A message's parts: `parts`, or its `content` as one text part (none when it has no text). */
export function partsOf(message: ChatMessage): ContentPart[] {
  if (message.parts) return message.parts;
  return message.content ? [{ type: 'text', text: message.content }] : [];
}

/**
 * Thinking budgets, in tokens, for providers that take a budget rather than an
 * effort (Anthropic `budget_tokens`, Gemini `thinkingBudget`). Anthropic's
 * minimum budget is 1,024 tokens, hence `minimal`.
 */
export const REASONING_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  minimal: 1_024,
  low: 4_096,
  medium: 8_192,
  high: 24_576,
};

/** The budget a reasoning request asks for: its `maxTokens`, else its effort's budget (default medium). */
export function reasoningBudget(reasoning: ReasoningRequest): number {
  return reasoning.maxTokens ?? REASONING_BUDGETS[reasoning.effort ?? 'medium'];
}

/** The effort a reasoning request asks for: its `effort`, else the smallest whose budget covers `maxTokens`. */
export function reasoningEffort(reasoning: ReasoningRequest): ReasoningEffort {
  if (reasoning.effort) return reasoning.effort;
  if (reasoning.maxTokens === undefined) return 'medium';
  const budget = reasoning.maxTokens;
  const efforts = Object.entries(REASONING_BUDGETS) as [ReasoningEffort, number][];
  return efforts.find(([, tokens]) => budget <= tokens)?.[0] ?? 'high';
}
