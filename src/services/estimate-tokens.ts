import type { ChatMessage, ToolDefinition } from '../providers/contract.js';

/** Framing tokens OpenAI adds per message. */
const TOKENS_PER_MESSAGE = 4;

type Tokenizer = typeof import('gpt-tokenizer/encoding/o200k_base');
// Loaded on first use: its tables cost ~60 MB, paid only by gateways whose callers have token limits or budgets.
let tokenizer: Promise<Tokenizer> | undefined;

/**
 * Prompt tokens of a request before it is sent, for limits and budgets. Exact for
 * OpenAI's o200k models; for Anthropic, Gemini and open models an approximation
 * (their tokenizers differ by roughly ±15% on English text). Settling with the
 * provider's reported usage corrects the difference afterwards.
 */
export async function countPromptTokens(messages: readonly ChatMessage[], tools?: readonly ToolDefinition[]): Promise<number> {
  const { countTokens } = await (tokenizer ??= import('gpt-tokenizer/encoding/o200k_base'));
  let total = 0;
  for (const message of messages) total += TOKENS_PER_MESSAGE + (message.content ? countTokens(message.content) : 0);
  if (tools?.length) total += countTokens(JSON.stringify(tools));
  return total;
}
