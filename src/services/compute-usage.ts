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

/** Usage with its cost: tokens × the model's price per million tokens. */
export function computeUsage(model: ModelConfig, usage: TokenUsage, estimated = false): CompletionUsage {
  const pricing = model.pricing;
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    totalTokens: usage.promptTokens + usage.completionTokens,
    costUsd: pricing ? (usage.promptTokens * pricing.input + usage.completionTokens * pricing.output) / 1_000_000 : null,
    estimated,
  };
}
