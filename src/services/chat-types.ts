import type { ErrorCode } from '../errors.js';
import type { ChatRequest, FinishReason, ToolCall } from '../providers/contract.js';

/** A chat request as a client sends it: `model` is a model id or a route id. */
export interface GatewayChatRequest extends ChatRequest {
  /** The completion cache: true = use it, false = bypass it, undefined = the configured mode. Never sent upstream. */
  cache?: boolean;
}

export const ATTEMPT_OUTCOMES = ['success', 'failed', 'timed_out', 'skipped'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One try against one target, successful or not. */
export interface Attempt {
  model: string;
  provider: string;
  outcome: AttemptOutcome;
  latencyMs: number;
  errorCode?: ErrorCode;
  /** Why a skipped target was not tried (e.g. it lacks a capability the request needs). */
  reason?: string;
}

export interface CompletionUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
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
  delta: string | null;
  toolCallDeltas: ToolCallDelta[] | null;
  finishReason: FinishReason | null;
  usage: CompletionUsage | null;
  attempts: Attempt[] | null;
  /** On the last event: true when the answer was replayed from the completion cache. */
  cached: boolean | null;
  done: boolean;
}
