import type { ModelConfig } from '../config/config-schema.js';
import { textOf } from '../providers/content-parts.js';
import type { ChatMessage, TokenUsage } from '../providers/contract.js';
import type { CompletionUsage } from './chat-types.js';

const CHARS_PER_TOKEN = 4;

/**
 * A rough token count for upstreams that report no usage (some OpenAI-compatible
 * servers ignore `stream_options.include_usage`): about four characters a token.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let characters = 0;
  for (const message of messages) characters += textOf(message).length + 16;
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

/**
 * Usage with its cost: tokens × the model's price per million tokens. Cached prompt
 * tokens are priced at `pricing.cachedInput` when set, else as any input token;
 * reasoning tokens are output tokens.
 */
export function computeUsage(model: ModelConfig, usage: TokenUsage, estimated = false): CompletionUsage {
  const pricing = model.pricing;
  const cachedPromptTokens = Math.min(usage.cachedPromptTokens ?? 0, usage.promptTokens);
  const reasoningTokens = Math.min(usage.reasoningTokens ?? 0, usage.completionTokens);
  let costUsd: number | null = null;
  if (pricing) {
    const cachedPrice = pricing.cachedInput ?? pricing.input;
    const input = (usage.promptTokens - cachedPromptTokens) * pricing.input + cachedPromptTokens * cachedPrice;
    costUsd = (input + usage.completionTokens * pricing.output) / 1_000_000;
  }
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    totalTokens: usage.promptTokens + usage.completionTokens,
    reasoningTokens,
    cachedPromptTokens,
    costUsd,
    estimated,
  };
}
