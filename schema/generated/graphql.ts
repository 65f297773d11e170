/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** How one try against one target ended. */
export type AttemptOutcome =
  /** The target failed (see `errorCode`). */
  | 'FAILED'
  /** The target was not tried: its circuit breaker was open, or it lacks a capability the request needs (see `reason`). */
  | 'SKIPPED'
  /** The target answered. */
  | 'SUCCESS'
  /** The target did not answer in time. */
  | 'TIMED_OUT';

/** A sound clip, inline as base64. */
export type AudioInput = {
  /** The audio bytes, base64-encoded. */
  base64: string;
  /** The encoding: wav or mp3 (others where the provider takes them). */
  format: string;
};

/** A target's circuit breaker. */
export type BreakerState =
  /** Healthy: requests flow. */
  | 'CLOSED'
  /** Cool-down over: one probe request decides whether it closes or opens again. */
  | 'HALF_OPEN'
  /** Failing: requests skip this target until the cool-down ends. */
  | 'OPEN';

/** A chat completion request. */
export type ChatInput = {
  /** The completion cache: true = use it, false = bypass it, null = the configured policy (by default: cached when temperature is 0). */
  cache?: boolean | null | undefined;
  /** Most completion tokens to generate. */
  maxTokens?: number | null | undefined;
  /** The conversation so far (at least one message). */
  messages: Array<ChatMessageInput>;
  /** A model id (e.g. "local/echo") or a route id (e.g. "demo"). */
  model: string;
  /** Ask the model to reason first (needs the REASONING capability). */
  reasoning?: ReasoningInput | null | undefined;
  /** Ask for JSON output. */
  responseFormat?: ResponseFormatInput | null | undefined;
  /** Seed for (best-effort) deterministic sampling, where the provider supports it. */
  seed?: number | null | undefined;
  /** Up to 16 sequences that end the answer. */
  stop?: Array<string> | null | undefined;
  /** Sampling temperature, 0 to 2. */
  temperature?: number | null | undefined;
  /** Which tools it may call (default: AUTO when tools are given). */
  toolChoice?: ToolChoiceInput | null | undefined;
  /** Tools the model may call. */
  tools?: Array<ToolInput> | null | undefined;
  /** Nucleus sampling, 0 to 1. */
  topP?: number | null | undefined;
  /** Your end-user id, forwarded to the provider for abuse monitoring. */
  user?: string | null | undefined;
};

/** One message of the conversation. */
export type ChatMessageInput = {
  /** The text. May be null only for an ASSISTANT message with toolCalls, or when parts are given. */
  content?: string | null | undefined;
  /** Optional participant name. */
  name?: string | null | undefined;
  /** Text, images, files and audio, instead of content (exactly one of the two). USER messages only. */
  parts?: Array<ContentPartInput> | null | undefined;
  /** For ASSISTANT messages: the reasoning of that turn, as `ChatMessage.reasoning` returned it. Sent back so a reasoning model continues its own thinking (needed for multi-turn tool use with Anthropic and Gemini). */
  reasoning?: string | null | undefined;
  /** For ASSISTANT messages: `ChatMessage.reasoningSignature` (or the last `ChatStreamEvent.reasoningSignature`) of that turn, unchanged. Opaque; a provider that did not make it ignores it. */
  reasoningSignature?: string | null | undefined;
  /** Who wrote it. */
  role: ChatRole;
  /** For TOOL messages: the id of the call this answers. */
  toolCallId?: string | null | undefined;
  /** For ASSISTANT messages: the tools it called. */
  toolCalls?: Array<ToolCallInput> | null | undefined;
};

/** Who wrote a message. */
export type ChatRole =
  /** The model. */
  | 'ASSISTANT'
  /** Instructions for the model. */
  | 'SYSTEM'
  /** The result of a tool call, answering `toolCallId`. */
  | 'TOOL'
  /** The end user. */
  | 'USER';

/** One part of a multi-part message: exactly one of its fields. */
export type ContentPartInput =
  {   /** Audio (needs AUDIO). */
  audio: AudioInput; file?: never; image?: never; text?: never; }
  |  { audio?: never;   /** A document (needs FILES). */
  file: FileInput; image?: never; text?: never; }
  |  { audio?: never; file?: never;   /** An image (needs the VISION capability). */
  image: ImageInput; text?: never; }
  |  { audio?: never; file?: never; image?: never;   /** Text. */
  text: string; };

/** A document (PDF, plain text), inline as base64. */
export type FileInput = {
  /** The file bytes, base64-encoded. */
  base64: string;
  /** e.g. application/pdf or text/plain. */
  mediaType: string;
  /** A file name, for providers that show one to the model. */
  name?: string | null | undefined;
};

/** Why the model stopped. */
export type FinishReason =
  /** The provider's content filter withheld the answer. */
  | 'CONTENT_FILTER'
  /** It hit `maxTokens` or its output limit: the answer is cut off. */
  | 'LENGTH'
  /** Any other reason the provider gave. */
  | 'OTHER'
  /** It finished its answer or hit a stop sequence. */
  | 'STOP'
  /** It wants tools called (see `toolCalls`). */
  | 'TOOL_CALLS';

/** How closely the model looks at an image (OpenAI-compatible providers; others ignore it). */
export type ImageDetail =
  /** The provider decides. */
  | 'AUTO'
  /** Full detail: more tokens. */
  | 'HIGH'
  /** A low-resolution look: fewer tokens. */
  | 'LOW';

/** An image, by URL (passed to the provider, never fetched by the gateway) or inline as base64. */
export type ImageInput = {
  /** The image bytes, base64-encoded (needs mediaType). */
  base64?: string | null | undefined;
  /** How closely to look (default AUTO). */
  detail?: ImageDetail | null | undefined;
  /** image/png, image/jpeg, image/gif or image/webp. */
  mediaType?: string | null | undefined;
  /** An https URL the provider fetches. Exactly one of url and base64. */
  url?: string | null | undefined;
};

/** What a model can do. */
export type ModelCapability =
  /** Audio input (`audio` parts). */
  | 'AUDIO'
  /** Chat completions (`Mutation.chat`). */
  | 'CHAT'
  /** Embeddings. */
  | 'EMBEDDINGS'
  /** Document input such as PDFs (`file` parts). */
  | 'FILES'
  /** JSON output (`responseFormat`). */
  | 'JSON'
  /** Thinks before answering when asked (`ChatInput.reasoning`). */
  | 'REASONING'
  /** Streamed chat completions (`Subscription.chatStream`). */
  | 'STREAMING'
  /** Tool (function) calling. */
  | 'TOOLS'
  /** Image input (`image` parts). */
  | 'VISION';

/** The wire protocol a provider speaks. */
export type ProviderType =
  /** The Anthropic Messages API. */
  | 'ANTHROPIC'
  /** The Google Gemini API. */
  | 'GOOGLE'
  /** The built-in offline demo provider. */
  | 'LOCAL'
  /** Any OpenAI-compatible Chat Completions API (OpenAI, Groq, Together, Mistral, DeepSeek, OpenRouter, vLLM, Ollama, LM Studio). */
  | 'OPENAI';

/** How hard a reasoning model thinks. Providers that take a token budget get 1,024 / 4,096 / 8,192 / 24,576 tokens. */
export type ReasoningEffort =
  /** As much as it takes. */
  | 'HIGH'
  /** A little. */
  | 'LOW'
  /** The usual. */
  | 'MEDIUM'
  /** As little as the model allows. */
  | 'MINIMAL';

/** Ask a reasoning model (capability REASONING) to think before it answers: an effort, a token budget, or both. */
export type ReasoningInput = {
  /** How hard to think (default MEDIUM). */
  effort?: ReasoningEffort | null | undefined;
  /** Most tokens to spend thinking (a budget, where the provider takes one). */
  maxTokens?: number | null | undefined;
};

/** Ask for JSON instead of free text. */
export type ResponseFormatInput = {
  /** With JSON_SCHEMA: a name for the schema. */
  name?: string | null | undefined;
  /** With JSON_SCHEMA: the JSON Schema the answer must match. */
  schema?: unknown;
  /** With JSON_SCHEMA: enforce the schema strictly where the provider can (default true). */
  strict?: boolean | null | undefined;
  /** TEXT, JSON_OBJECT or JSON_SCHEMA. */
  type: ResponseFormatType;
};

/** The shape of the answer. */
export type ResponseFormatType =
  /** One JSON object. */
  | 'JSON_OBJECT'
  /** JSON that matches `ResponseFormatInput.schema`. */
  | 'JSON_SCHEMA'
  /** Free text (the default). */
  | 'TEXT';

/** How a route picks among its targets. */
export type RouteStrategy =
  /** The target with the lowest estimated cost for this request's tokens first. */
  | 'CHEAPEST'
  /** Targets in order; the next one is tried when one fails with a retryable error (before any streamed token). */
  | 'FALLBACK'
  /** The target with the fewest requests in flight first. */
  | 'LEAST_BUSY'
  /** The target with the lowest recent latency (time to first token for streams) first; the others are re-measured now and then. */
  | 'LEAST_LATENCY'
  /** A weighted random order (by target weight): spreads load across targets. */
  | 'WEIGHTED';

/** A tool call the assistant made earlier in the conversation. */
export type ToolCallInput = {
  /** The arguments, as JSON text. */
  arguments: string;
  /** The call id the TOOL message answers. */
  id: string;
  /** The tool name. */
  name: string;
};

/** Which tools the model may call. */
export type ToolChoiceInput = {
  /** AUTO, NONE, REQUIRED, or TOOL with `name`. */
  mode: ToolChoiceMode;
  /** The tool to call, with mode TOOL. */
  name?: string | null | undefined;
};

/** Whether and which tools the model may call. */
export type ToolChoiceMode =
  /** The model decides. */
  | 'AUTO'
  /** No tool calls. */
  | 'NONE'
  /** At least one tool call. */
  | 'REQUIRED'
  /** Exactly the tool named in `ToolChoiceInput.name`. */
  | 'TOOL';

/** A tool (function) the model may call. */
export type ToolInput = {
  /** What it does; the model reads this. */
  description?: string | null | undefined;
  /** 1-64 letters, digits, _ or -. */
  name: string;
  /** JSON Schema of its arguments (an object schema). */
  parameters?: unknown;
};

/** A UTC calendar period. */
export type UsagePeriod =
  /** Today (UTC). */
  | 'DAY'
  /** This month so far (UTC). */
  | 'MONTH';

export type ModelsQueryVariables = Exact<{
  capability?: ModelCapability | null | undefined;
  provider?: string | null | undefined;
}>;


export type ModelsQuery = { models: Array<{ id: string, provider: string, upstream: string, description: string | null, contextWindow: number | null, maxOutputTokens: number | null, capabilities: Array<ModelCapability>, pricing: { input: number, output: number } | null, health: { state: BreakerState, latencyMs: number | null, errorRate: number, inFlight: number } }> };

export type HealthFieldsFragment = { state: BreakerState, latencyMs: number | null, errorRate: number, inFlight: number };

export type ModelQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelQuery = { model: { id: string, provider: string, upstream: string, capabilities: Array<ModelCapability> } | null };

export type RoutesQueryVariables = Exact<{ [key: string]: never; }>;


export type RoutesQuery = { routes: Array<{ id: string, strategy: RouteStrategy, description: string | null, targets: Array<{ model: string, weight: number, health: { state: BreakerState, latencyMs: number | null, errorRate: number, inFlight: number } }> }> };

export type ProvidersQueryVariables = Exact<{ [key: string]: never; }>;


export type ProvidersQuery = { providers: Array<{ id: string, type: ProviderType, models: Array<{ id: string }>, health: { state: BreakerState, latencyMs: number | null, errorRate: number, inFlight: number } }> };

export type UsageFieldsFragment = { promptTokens: number, completionTokens: number, totalTokens: number, costUsd: number | null, estimated: boolean };

export type AttemptFieldsFragment = { model: string, provider: string, outcome: AttemptOutcome, latencyMs: number, errorCode: string | null };

export type ChatMutationVariables = Exact<{
  input: ChatInput;
}>;


export type ChatMutation = { chat: { id: string, model: string, provider: string, finishReason: FinishReason, cached: boolean, latencyMs: number, message: { role: ChatRole, content: string | null, toolCalls: Array<{ id: string, name: string, arguments: string }> }, usage: { promptTokens: number, completionTokens: number, totalTokens: number, costUsd: number | null, estimated: boolean }, attempts: Array<{ model: string, provider: string, outcome: AttemptOutcome, latencyMs: number, errorCode: string | null }> } };

export type ChatStreamSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ChatStreamSubscription = { chatStream: { id: string, model: string, provider: string, delta: string | null, finishReason: FinishReason | null, cached: boolean | null, done: boolean, toolCallDeltas: Array<{ index: number, id: string | null, name: string | null, argumentsDelta: string | null }> | null, usage: { promptTokens: number, completionTokens: number, totalTokens: number, costUsd: number | null, estimated: boolean } | null, attempts: Array<{ model: string, provider: string, outcome: AttemptOutcome, latencyMs: number, errorCode: string | null }> | null } };

export type EmbedQueryVariables = Exact<{
  model: string;
  input: string;
}>;


export type EmbedQuery = { embedding: { vector: Array<number>, dimensions: number, model: string, usage: { promptTokens: number, costUsd: number | null } } };

export type DetailedUsageFieldsFragment = { promptTokens: number, completionTokens: number, totalTokens: number, reasoningTokens: number, cachedPromptTokens: number, costUsd: number | null, estimated: boolean };

export type ReasoningChatMutationVariables = Exact<{
  input: ChatInput;
}>;


export type ReasoningChatMutation = { chat: { id: string, model: string, finishReason: FinishReason, cached: boolean, message: { role: ChatRole, content: string | null, reasoning: string | null, reasoningSignature: string | null, toolCalls: Array<{ id: string, name: string, arguments: string }> }, usage: { promptTokens: number, completionTokens: number, totalTokens: number, reasoningTokens: number, cachedPromptTokens: number, costUsd: number | null, estimated: boolean } } };

export type ReasoningChatStreamSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ReasoningChatStreamSubscription = { chatStream: { id: string, model: string, reasoningDelta: string | null, delta: string | null, finishReason: FinishReason | null, reasoningSignature: string | null, cached: boolean | null, done: boolean, toolCallDeltas: Array<{ index: number, id: string | null, name: string | null, argumentsDelta: string | null }> | null, usage: { promptTokens: number, completionTokens: number, totalTokens: number, reasoningTokens: number, cachedPromptTokens: number, costUsd: number | null, estimated: boolean } | null } };

export type UsageSummaryFieldsFragment = { requests: number, promptTokens: number, completionTokens: number, reasoningTokens: number, cachedPromptTokens: number, costUsd: number, byModel: Array<{ model: string, requests: number, reasoningTokens: number, cachedPromptTokens: number }> };

export type ViewerUsageQueryVariables = Exact<{
  period?: UsagePeriod | null | undefined;
}>;


export type ViewerUsageQuery = { viewer: { usage: { requests: number, promptTokens: number, completionTokens: number, reasoningTokens: number, cachedPromptTokens: number, costUsd: number, byModel: Array<{ model: string, requests: number, reasoningTokens: number, cachedPromptTokens: number }> } } };

export type KeyUsageQueryVariables = Exact<{
  keyId: string | number;
  period?: UsagePeriod | null | undefined;
}>;


export type KeyUsageQuery = { keyUsage: { requests: number, promptTokens: number, completionTokens: number, reasoningTokens: number, cachedPromptTokens: number, costUsd: number, byModel: Array<{ model: string, requests: number, reasoningTokens: number, cachedPromptTokens: number }> } };

export const HealthFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HealthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TargetHealth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}}]}}]} as unknown as DocumentNode<HealthFieldsFragment, unknown>;
export const UsageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}}]} as unknown as DocumentNode<UsageFieldsFragment, unknown>;
export const AttemptFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AttemptFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Attempt"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}}]}}]} as unknown as DocumentNode<AttemptFieldsFragment, unknown>;
export const DetailedUsageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DetailedUsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}}]} as unknown as DocumentNode<DetailedUsageFieldsFragment, unknown>;
export const UsageSummaryFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UsageSummary"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}}]}}]} as unknown as DocumentNode<UsageSummaryFieldsFragment, unknown>;
export const ModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Models"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"capability"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ModelCapability"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"provider"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"capability"},"value":{"kind":"Variable","name":{"kind":"Name","value":"capability"}}},{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"Variable","name":{"kind":"Name","value":"provider"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"contextWindow"}},{"kind":"Field","name":{"kind":"Name","value":"maxOutputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"pricing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"input"}},{"kind":"Field","name":{"kind":"Name","value":"output"}}]}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HealthFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HealthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TargetHealth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}}]}}]} as unknown as DocumentNode<ModelsQuery, ModelsQueryVariables>;
export const ModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Model"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}}]}}]}}]} as unknown as DocumentNode<ModelQuery, ModelQueryVariables>;
export const RoutesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Routes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"routes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"targets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HealthFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HealthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TargetHealth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}}]}}]} as unknown as DocumentNode<RoutesQuery, RoutesQueryVariables>;
export const ProvidersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Providers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"providers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HealthFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HealthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TargetHealth"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}}]}}]} as unknown as DocumentNode<ProvidersQuery, ProvidersQueryVariables>;
export const ChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Chat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cached"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AttemptFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AttemptFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Attempt"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}}]}}]} as unknown as DocumentNode<ChatMutation, ChatMutationVariables>;
export const ChatStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ChatStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chatStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"toolCallDeltas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"argumentsDelta"}}]}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"attempts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AttemptFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cached"}},{"kind":"Field","name":{"kind":"Name","value":"done"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AttemptFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Attempt"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}}]}}]} as unknown as DocumentNode<ChatStreamSubscription, ChatStreamSubscriptionVariables>;
export const EmbedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Embed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"embedding"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"vector"}},{"kind":"Field","name":{"kind":"Name","value":"dimensions"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}}]}}]}}]}}]} as unknown as DocumentNode<EmbedQuery, EmbedQueryVariables>;
export const ReasoningChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReasoningChat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"reasoning"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningSignature"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DetailedUsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cached"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DetailedUsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}}]} as unknown as DocumentNode<ReasoningChatMutation, ReasoningChatMutationVariables>;
export const ReasoningChatStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ReasoningChatStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chatStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningDelta"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"toolCallDeltas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"argumentsDelta"}}]}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DetailedUsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reasoningSignature"}},{"kind":"Field","name":{"kind":"Name","value":"cached"}},{"kind":"Field","name":{"kind":"Name","value":"done"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DetailedUsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}}]} as unknown as DocumentNode<ReasoningChatStreamSubscription, ReasoningChatStreamSubscriptionVariables>;
export const ViewerUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ViewerUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"period"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UsagePeriod"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"Variable","name":{"kind":"Name","value":"period"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageSummaryFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UsageSummary"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}}]}}]} as unknown as DocumentNode<ViewerUsageQuery, ViewerUsageQueryVariables>;
export const KeyUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"keyId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"period"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UsagePeriod"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"keyUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"keyId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"keyId"}}},{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"Variable","name":{"kind":"Name","value":"period"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageSummaryFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UsageSummary"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"reasoningTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}}]}}]} as unknown as DocumentNode<KeyUsageQuery, KeyUsageQueryVariables>;