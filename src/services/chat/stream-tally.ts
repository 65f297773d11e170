import type { ChatStreamPart, ReasoningTrace, TokenUsage, ToolCall } from '../../providers/contract.js';
import type { ModelConfig } from '../../config/config-schema.js';
import type { CompletionUsage } from '../chat-types.js';
import { computeUsage, estimatePromptTokens, estimateTokens } from '../compute-usage.js';
import type { GatewayChatRequest } from '../chat-types.js';
import type { DeltaPart } from './coalesce-deltas.js';

type UsagePart = Extract<ChatStreamPart, { type: 'usage' }>;

/**
 * What one stream has produced so far: the characters it streamed (reasoning
 * included: it is output too), the usage the upstream reported, the reasoning
 * signature, and (when the answer may be cached) the assembled reasoning, text
 * and tool calls. Its `usage()` is right on every way a stream ends.
 */
export interface StreamTally {
  /** Counts a delta, and assembles it when the answer may be cached. */
  take(part: DeltaPart): void;
  /** Keeps the turn's reasoning signature (the last one wins). */
  noteSignature(signature: string): void;
  /** The latest reasoning signature; null when none arrived. */
  readonly signature: string | null;
  /** The assembled reasoning with its signature; null when there was none (or when not assembling). */
  reasoning(): ReasoningTrace | null;
  /** Notes usage the upstream reported (a partial count, or the total). */
  noteUsage(part: UsagePart): void;
  /** What the upstream reported wins over estimates; only what it has not counted yet is estimated. */
  usage(): CompletionUsage;
  /** The assembled text; null when not assembling. */
  readonly text: string | null;
  /** The assembled tool calls (when assembling). */
  toolCalls(): ToolCall[];
}

/** A tally for one stream on `model`; `assemble`: keep the reasoning, text and tool calls (for the completion cache). */
export function createStreamTally(model: ModelConfig, request: GatewayChatRequest, assemble: boolean): StreamTally {
  let text = assemble ? '' : undefined;
  let reasoningText = assemble ? '' : undefined;
  let signature: string | null = null;
  const toolCalls: ToolCall[] = [];
  let reported: TokenUsage | undefined;
  // Usage the upstream reported so far, and how much completion text it had counted (the rest is estimated).
  let reportedSoFar: { promptTokens: number; completionTokens: number; characters: number } | undefined;
  let completionCharacters = 0;

  return {
    take(part) {
      if (part.type === 'reasoning-delta') {
        completionCharacters += part.text.length;
        if (reasoningText !== undefined) reasoningText += part.text;
        return;
      }
      if (part.type === 'text-delta') {
        completionCharacters += part.text.length;
        if (text !== undefined) text += part.text;
        return;
      }
      completionCharacters += part.argumentsDelta?.length ?? 0;
      if (text !== undefined) {
        const assembled = (toolCalls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) assembled.id = part.id;
        if (part.name) assembled.name += part.name;
        if (part.argumentsDelta) assembled.arguments += part.argumentsDelta;
      }
    },
    noteSignature(value) {
      signature = value;
    },
    get signature() {
      return signature;
    },
    reasoning() {
      if (reasoningText === undefined || (reasoningText === '' && signature === null)) return null;
      return signature === null ? { text: reasoningText } : { text: reasoningText, signature };
    },
    noteUsage(part) {
      if (!part.partial) {
        reported = part.usage;
        return;
      }
      const counted = part.usage.completionTokens;
      reportedSoFar = { promptTokens: part.usage.promptTokens, completionTokens: counted ?? 0, characters: counted === undefined ? 0 : completionCharacters };
    },
    usage() {
      if (reported) return computeUsage(model, reported);
      const unreported = Math.ceil((completionCharacters - (reportedSoFar?.characters ?? 0)) / 4);
      if (reportedSoFar) {
        const { promptTokens, completionTokens } = reportedSoFar;
        return computeUsage(model, { promptTokens, completionTokens: completionTokens + unreported }, unreported > 0);
      }
      return computeUsage(model, { promptTokens: estimatePromptTokens(request.messages), completionTokens: unreported || estimateTokens('') }, true);
    },
    get text() {
      return text ?? null;
    },
    toolCalls: () => toolCalls.filter(Boolean),
  };
}
