/**
 * What a mock upstream should do for one request, independent of the provider's
 * wire format. Each provider's WireFormat renders it into that provider's bytes.
 */
export interface ScenarioUsage {
  promptTokens: number;
  /** Every output token, reasoning included. */
  completionTokens: number;
  /** Part of `completionTokens` spent reasoning; rendered only where the format reports it (not Anthropic). */
  reasoningTokens?: number;
  /** Part of `promptTokens` read from the provider's prompt cache. */
  cachedPromptTokens?: number;
}

/** What a reasoning model thought before answering: streamed before the text (and before tool calls). */
export interface ScenarioReasoning {
  /** The streamed reasoning deltas; they join to the full reasoning text. */
  chunks: string[];
  /** The provider's own signature (Anthropic thinking signature, Gemini thoughtSignature); OpenAI-compatible formats have none. */
  signature?: string;
}

/** Fault injection: waits before the response starts, or before its first streamed chunk. */
export interface ScenarioDelays {
  /** Before the status line and headers are sent, in milliseconds. */
  beforeHeadersMs?: number;
  /** Streams: after the headers, before the first chunk, in milliseconds. */
  beforeFirstChunkMs?: number;
}

export type Scenario =
  /** A text answer; `chunks` are the streamed deltas and join to the full text. */
  | {
      kind: 'text';
      chunks: string[];
      finishReason?: 'stop' | 'length';
      usage: ScenarioUsage;
      delays?: ScenarioDelays;
      reasoning?: ScenarioReasoning;
    }
  /** One or more tool calls; each call's arguments are streamed in `argumentChunks`. */
  | {
      kind: 'tool-calls';
      calls: { id: string; name: string; argumentChunks: string[] }[];
      usage: ScenarioUsage;
      reasoning?: ScenarioReasoning;
    }
  /** An HTTP error answer with the provider's error body. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string }
  /** Streams `chunks`, then a chunk that is not JSON (non-stream: a body that is not JSON). */
  | { kind: 'malformed'; chunks: string[] }
  /** Streams `chunks`, then the provider's in-band error event. */
  | { kind: 'mid-stream-error'; chunks: string[]; message: string }
  /**
   * Streams `chunks`, then sends nothing until the client goes away. `promptTokens`: the input
   * tokens the stream's opening reports where the format reports them early (Anthropic, Gemini).
   */
  | { kind: 'hang'; chunks: string[]; promptTokens?: number }
  /** Closes the connection without answering (ECONNRESET on the client). */
  | { kind: 'reset' };

export type SuccessScenario = Extract<Scenario, { kind: 'text' } | { kind: 'tool-calls' }>;

/** How one provider speaks: the mock server asks it for bytes, never for behaviour. */
export interface WireFormat {
  /** True when the request asks for a streamed answer (from path or body). */
  isStream(path: string, body: unknown): boolean;
  /** JSON body of a complete, non-streamed answer. */
  completion(scenario: SuccessScenario, model: string): unknown;
  /** The SSE data frames of a streamed answer, in order, without the final terminator. */
  streamFrames(scenario: SuccessScenario, model: string): string[];
  /**
   * Frames that start a stream whose text is `chunks` (no finish; only the running usage a format
   * reports early, with `promptTokens` input tokens where given).
   */
  partialFrames(chunks: string[], model: string, promptTokens?: number): string[];
  /** Frames that end a stream (e.g. `data: [DONE]`); may be empty. */
  terminator(): string[];
  /** The in-band error event sent mid-stream. */
  errorFrame(message: string): string;
  /** The JSON error body for an HTTP error status. */
  errorBody(status: number, message: string): unknown;
  /** The model named in the request (path or body). */
  modelOf(path: string, body: unknown): string;
}
