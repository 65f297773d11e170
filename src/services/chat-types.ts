import type { Attempt } from '../routing/attempt.js';
import type { ChatRequest, FinishReason, ReasoningTrace, ToolCall } from '../providers/contract.js';

/** A chat request as a client sends it: `model` is a model id or a route id. */
export interface GatewayChatRequest extends ChatRequest {
  /** The completion cache: true = use it, false = bypass it, undefined = the configured mode. Never sent upstream. */
  cache?: boolean;
}

export interface CompletionUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Part of completionTokens spent reasoning (0 when the upstream does not say). */
  reasoningTokens: number;
  /** Part of promptTokens read from the provider's prompt cache (0 when the upstream does not say). */
  cachedPromptTokens: number;
  /** USD; null when the model has no pricing configured. */
  costUsd: number | null;
  /** True when the upstream reported no usage and the gateway estimated it. */
  estimated: boolean;
}

export interface ChatCompletion {
  id: string;
  /** The gateway model id that answered (after route resolution). */
  model: string;
  provider: string;
  content: string | null;
  toolCalls: ToolCall[];
  /** The model's reasoning, null when it gave none. */
  reasoning: ReasoningTrace | null;
  finishReason: FinishReason;
  usage: CompletionUsage;
  cached: boolean;
  attempts: Attempt[];
  latencyMs: number;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  argumentsDelta?: string;
}

/** One event of a streamed completion; exactly the last one has `done: true`. */
export interface ChatStreamEvent {
  id: string;
  model: string;
  provider: string;
  /** More reasoning; all of a turn's reasoning comes before its first `delta`. */
  reasoningDelta: string | null;
  delta: string | null;
  toolCallDeltas: ToolCallDelta[] | null;
  finishReason: FinishReason | null;
  usage: CompletionUsage | null;
  attempts: Attempt[] | null;
  /** On the last event: the reasoning signature to send back with this turn, null when none. */
  reasoningSignature: string | null;
  /** On the last event: true when the answer was replayed from the completion cache. */
  cached: boolean | null;
  done: boolean;
}
