import type { ChatStreamPart, FinishReason, PartialTokenUsage, TokenUsage, ToolCall } from '../../src/providers/contract.js';
import type { ProviderError } from '../../src/providers/provider-error.js';

export interface CollectedStream {
  text: string;
  deltas: string[];
  /** The reasoning deltas joined. */
  reasoning: string;
  reasoningDeltas: string[];
  /** The last reasoning signature part's (the last one wins), if any. */
  reasoningSignature?: string;
  toolCalls: ToolCall[];
  finishReasons: FinishReason[];
  /** Final usage parts (one in a well-formed stream). */
  usages: TokenUsage[];
  /** Usage reported so far, before the end. */
  partialUsages: PartialTokenUsage[];
  errors: ProviderError[];
  /** The part types in order; usage reported before the end is `partial-usage`. */
  partTypes: (ChatStreamPart['type'] | 'partial-usage')[];
}

/** Drains a provider stream and assembles it the way a client would. */
export async function collectStream(parts: AsyncIterable<ChatStreamPart>): Promise<CollectedStream> {
  const result: CollectedStream = { text: '', deltas: [], reasoning: '', reasoningDeltas: [], toolCalls: [], finishReasons: [], usages: [], partialUsages: [], errors: [], partTypes: [] };
  for await (const part of parts) {
    result.partTypes.push(part.type === 'usage' && part.partial ? 'partial-usage' : part.type);
    switch (part.type) {
      case 'text-delta':
        result.deltas.push(part.text);
        result.text += part.text;
        break;
      case 'reasoning-delta':
        result.reasoningDeltas.push(part.text);
        result.reasoning += part.text;
        break;
      case 'reasoning-signature':
        result.reasoningSignature = part.signature;
        break;
      case 'tool-call-delta': {
        const call = (result.toolCalls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) call.id = part.id;
        if (part.name) call.name += part.name;
        if (part.argumentsDelta) call.arguments += part.argumentsDelta;
        break;
      }
      case 'finish':
        result.finishReasons.push(part.finishReason);
        break;
      case 'usage':
        if (part.partial) result.partialUsages.push(part.usage);
        else result.usages.push(part.usage);
        break;
      case 'error':
        result.errors.push(part.error);
        break;
      case 'metadata':
        break;
    }
  }
  return result;
}
