import type { ChatStreamPart, ReasoningTrace, TokenUsage, ToolCall } from '../../providers/contract.js';
import type { ModelConfig } from '../../config/config-schema.js';
import type { CompletionUsage } from '../chat-types.js';
import { computeUsage, estimateTokens } from '../compute-usage.js';
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

/**
 * A tally for one stream on `model`; `promptEstimate`: the prompt's tokens if the upstream reports
 * none (a number, so an open stream does not hold its prompt); `assemble`: keep the reasoning,
 * text and tool calls (for the completion cache).
 */
export function createStreamTally(model: ModelConfig, promptEstimate: number, assemble: boolean): StreamTally {
  return new Tally(model, promptEstimate, assemble);
}

/** One object per stream, its methods on the prototype: no closures or context held per open stream. */
class Tally implements StreamTally {
  signature: string | null = null;
  private assembledText: string | undefined;
  private reasoningText: string | undefined;
  private readonly assembledCalls: ToolCall[] = [];
  private reported: TokenUsage | undefined;
  // Usage the upstream reported so far, and how much completion text it had counted (the rest is estimated).
  private reportedSoFar: { promptTokens: number; completionTokens: number; characters: number } | undefined;
  private completionCharacters = 0;

  constructor(
    private readonly model: ModelConfig,
    private readonly promptEstimate: number,
    assemble: boolean,
  ) {
    if (assemble) {
      this.assembledText = '';
      this.reasoningText = '';
    }
  }

  take(part: DeltaPart): void {
    if (part.type === 'reasoning-delta') {
      this.completionCharacters += part.text.length;
      if (this.reasoningText !== undefined) this.reasoningText += part.text;
      return;
    }
    if (part.type === 'text-delta') {
      this.completionCharacters += part.text.length;
      if (this.assembledText !== undefined) this.assembledText += part.text;
      return;
    }
    this.completionCharacters += part.argumentsDelta?.length ?? 0;
    if (this.assembledText !== undefined) {
      const assembled = (this.assembledCalls[part.index] ??= { id: '', name: '', arguments: '' });
      if (part.id) assembled.id = part.id;
      if (part.name) assembled.name += part.name;
      if (part.argumentsDelta) assembled.arguments += part.argumentsDelta;
    }
  }

  noteSignature(value: string): void {
    this.signature = value;
  }

  reasoning(): ReasoningTrace | null {
    const { reasoningText, signature } = this;
    if (reasoningText === undefined || (reasoningText === '' && signature === null)) return null;
    return signature === null ? { text: reasoningText } : { text: reasoningText, signature };
  }

  noteUsage(part: UsagePart): void {
    if (!part.partial) {
      this.reported = part.usage;
      return;
    }
    const counted = part.usage.completionTokens;
    this.reportedSoFar = { promptTokens: part.usage.promptTokens, completionTokens: counted ?? 0, characters: counted === undefined ? 0 : this.completionCharacters };
  }

  usage(): CompletionUsage {
    const { model, reported, reportedSoFar } = this;
    if (reported) return computeUsage(model, reported);
    const unreported = Math.ceil((this.completionCharacters - (reportedSoFar?.characters ?? 0)) / 4);
    if (reportedSoFar) {
      const { promptTokens, completionTokens } = reportedSoFar;
      return computeUsage(model, { promptTokens, completionTokens: completionTokens + unreported }, unreported > 0);
    }
    return computeUsage(model, { promptTokens: this.promptEstimate, completionTokens: unreported || estimateTokens('') }, true);
  }

  get text(): string | null {
    return this.assembledText ?? null;
  }

  toolCalls(): ToolCall[] {
    return this.assembledCalls.filter(Boolean);
  }
}
