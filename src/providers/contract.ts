import type { CancelSignal } from './cancel-signal.js';

/**
 * The provider contract: what every adapter (OpenAI-compatible, Anthropic, Gemini,
 * local) implements. Adapters never see GraphQL, client HTTP requests or outgoing SSE.
 */

export const PROVIDER_TYPES = ['openai', 'anthropic', 'google', 'local'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'other'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** A complete tool call: `arguments` is the JSON text the model produced. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;
export type ImageDetail = (typeof IMAGE_DETAILS)[number];

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/**
 * One piece of a multi-part message. Bytes travel base64-encoded; a URL is passed
 * to providers that accept one and never fetched by the gateway.
 */
export type ContentPart =
  | { type: 'text'; text: string }
  /** Exactly one of `url` and `base64`; `mediaType` is required with `base64`. */
  | { type: 'image'; url?: string; base64?: string; mediaType?: string; detail?: ImageDetail }
  /** A document (PDF, plain text …). */
  | { type: 'file'; base64: string; mediaType: string; name?: string }
  /** `format` is the encoding (`wav`, `mp3` …). */
  | { type: 'audio'; base64: string; format: string };

/** Asks a reasoning model to think: an effort, a token budget, or both. */
export interface ReasoningRequest {
  effort?: ReasoningEffort;
  /** Most tokens to spend thinking. */
  maxTokens?: number;
}

/**
 * What a reasoning model thought before answering, as it is carried back on the next turn.
 * `signature` is opaque and owned by the adapter that produced it (Anthropic thinking
 * signatures and redacted blocks, Gemini thought signatures), prefixed so an adapter
 * recognises its own: an adapter sends back only a signature it made and ignores others.
 */
export interface ReasoningTrace {
  /** The reasoning text, every block of the turn joined. */
  text: string;
  /** Opaque proof the provider needs to accept the reasoning back (absent when it needs none). */
  signature?: string;
}

export interface ChatMessage {
  role: ChatRole;
  /** The text; null when `parts` carries the message (or an assistant message only called tools). */
  content: string | null;
  /** A multi-part message (text, images, files, audio) instead of `content`. */
  parts?: ContentPart[];
  /** Optional participant name (OpenAI `name`). */
  name?: string;
  /** For `tool` messages: the id of the call this message answers. */
  toolCallId?: string;
  /** For `assistant` messages that called tools. */
  toolCalls?: ToolCall[];
  /** For `assistant` messages: the reasoning of that turn, sent back so multi-turn tool use with thinking works. */
  reasoning?: ReasoningTrace;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

/** One chat request as an adapter receives it: `model` is the provider's own model name. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  /** End-user id forwarded for the provider's abuse monitoring. */
  user?: string;
  /** Ask the model to reason before answering. */
  reasoning?: ReasoningRequest;
}

export interface TokenUsage {
  /** Every input token, cached ones included. */
  promptTokens: number;
  /** Every output token, reasoning included (Gemini's thoughts are added to its candidates' tokens). */
  completionTokens: number;
  /** Part of `completionTokens` spent reasoning; absent when the upstream does not say. */
  reasoningTokens?: number;
  /** Part of `promptTokens` read from the provider's prompt cache; absent when the upstream does not say. */
  cachedPromptTokens?: number;
}

/** Usage an upstream reported before the end of a stream. */
export interface PartialTokenUsage {
  promptTokens: number;
  completionTokens?: number;
  cachedPromptTokens?: number;
}

export interface ChatResult {
  /** The upstream's response id (or one made up when it gives none). */
  id: string;
  /** The model the upstream says answered. */
  model: string;
  content: string | null;
  toolCalls: ToolCall[];
  /** The model's reasoning, never inside `content`; absent when it gave none. */
  reasoning?: ReasoningTrace;
  finishReason: FinishReason;
  usage: TokenUsage;
}

/**
 * One piece of a streamed answer. Text deltas concatenate to the full text; tool
 * call deltas with the same `index` concatenate their `argumentsDelta`. `finish`
 * and a final `usage` arrive once each, in either order, before the stream ends;
 * `partial` usage parts (what the upstream reported so far, e.g. Anthropic's
 * input tokens at `message_start`) may come earlier, so that a stream cut short
 * still counts exact prompt tokens. An `error` part is last: the stream failed
 * after it started.
 */
export type ChatStreamPart =
  | { type: 'metadata'; id?: string; model?: string }
  /** Reasoning text; every reasoning delta of a turn comes before its first text delta. */
  | { type: 'reasoning-delta'; text: string }
  /** The turn's whole reasoning signature so far (the last one wins); see ReasoningTrace. */
  | { type: 'reasoning-signature'; signature: string }
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'usage'; usage: TokenUsage; partial?: false }
  /** Usage so far (cumulative), not the total; `completionTokens` absent when the upstream has not counted them yet. */
  | { type: 'usage'; usage: PartialTokenUsage; partial: true }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'error'; error: import('./provider-error.js').ProviderError };

/** Texts to embed: `model` is the provider's own model name. */
export interface EmbeddingRequest {
  model: string;
  inputs: string[];
  /** Requested vector length (OpenAI `dimensions`, Gemini `outputDimensionality`); absent: the model's own. */
  dimensions?: number;
}

export interface EmbeddingResponse {
  /** One vector per input, in input order. */
  vectors: number[][];
  /** `estimated` is true when the upstream reported no usage and the adapter counted. */
  usage: { promptTokens: number; estimated?: boolean };
}

/** A configured provider instance. */
export interface Provider {
  readonly id: string;
  readonly type: ProviderType;
  /** One complete answer. Rejects with a ProviderError. */
  chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult>;
  /**
   * A streamed answer. Failures before the first part reject the first `next()`
   * with a ProviderError; failures after it arrive as a final `error` part.
   * Aborting `signal` closes the upstream connection at once.
   */
  stream(request: ChatRequest, signal: CancelSignal): AsyncIterable<ChatStreamPart>;
  /**
   * Embeds many texts in one upstream call; vectors come back in input order.
   * Rejects with a ProviderError. Absent when the provider has no embeddings API.
   */
  embed?(request: EmbeddingRequest, signal: CancelSignal): Promise<EmbeddingResponse>;
  /** Releases pooled connections. */
  close?(): Promise<void>;
}
