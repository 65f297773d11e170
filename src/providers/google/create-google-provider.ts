import { randomUUID } from 'node:crypto';
import type { ChatRequest, ChatResult, ChatStreamPart, PartialTokenUsage, Provider, TokenUsage, ToolCall } from '../contract.js';
import { streamUpstream, type StreamDecoder } from '../http/stream-upstream.js';
import type { ProviderError } from '../provider-error.js';
import type { SseEvent } from '../http/parse-sse.js';
import { inBandError, malformedError, postJson, type UpstreamTransport } from '../http/send-upstream.js';
import { createGeminiEmbed } from './gemini-embeddings.js';
import { createThoughtCollector, type ThoughtCollector } from './gemini-thoughts.js';
import { mapGeminiFinishReason, toGeminiBody, type GeminiPart, type GeminiResponse, type GeminiUsage } from './gemini-wire.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface GoogleProviderOptions {
  id: string;
  /** Base URL up to and including the version; defaults to `https://generativelanguage.googleapis.com/v1beta`. */
  baseUrl?: string;
  apiKey?: string;
  /** Extra headers sent upstream on every call. */
  headers?: Record<string, string>;
}

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';


/**
 * Gemini GenerateContentResponse chunks to stream parts, one event at a time. Usage is cumulative on chunks: each
 * chunk's goes out as partial usage (after that chunk's text, which it counts), the last as the total.
 */
function createGeminiDecoder(id: string): StreamDecoder {
  return new GeminiDecoder(id);
}

/** A class, so an open stream holds one object here (its state), not three closures and their context. */
class GeminiDecoder implements StreamDecoder {
  private sentMetadata = false;
  private finished = false;
  private failed = false;
  private toolCallCount = 0;
  private readonly thoughts = createThoughtCollector();
  /** Gemini repeats cumulative usage on chunks; only the last one is the total. */
  private usage: GeminiUsage | undefined;

  constructor(private readonly id: string) {}

  event(event: SseEvent, out: ChatStreamPart[]): boolean {
    let chunk: GeminiResponse | null;
    try {
      chunk = JSON.parse(event.data) as GeminiResponse | null;
    } catch (error: unknown) {
      return this.fail(out, malformedError(this.id, 'a stream chunk that is not JSON', error));
    }
    if (!chunk || typeof chunk !== 'object') return this.fail(out, malformedError(this.id, 'a stream chunk that is not an object'));
    if (chunk.error) return this.fail(out, inBandError(this.id, chunk.error.message ?? chunk.error.status));
    if (!this.sentMetadata) {
      this.sentMetadata = true;
      out.push({ type: 'metadata', id: chunk.responseId, model: chunk.modelVersion });
    }
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.thought) {
        if (part.text) out.push({ type: 'reasoning-delta', text: part.text });
      } else if (part.text) {
        out.push({ type: 'text-delta', text: part.text });
      }
      const call = part.functionCall;
      if (call) {
        // Gemini sends each call whole, so one delta carries all of it.
        const index = this.toolCallCount;
        out.push({
          type: 'tool-call-delta',
          index,
          id: call.id ?? `call_${index}`,
          name: call.name ?? '',
          argumentsDelta: JSON.stringify(call.args ?? {}),
        });
      }
      if (readThought(part, this.toolCallCount, this.thoughts)) {
        const signature = this.thoughts.signature();
        if (signature) out.push({ type: 'reasoning-signature', signature });
      }
      if (call) this.toolCallCount++;
    }
    if (chunk.usageMetadata) {
      this.usage = chunk.usageMetadata;
      const partial = partialUsageOf(this.usage);
      if (partial) out.push({ type: 'usage', usage: partial, partial: true });
    }
    if (this.finished) return false;
    if (candidate?.finishReason) {
      this.finished = true;
      out.push({ type: 'finish', finishReason: mapGeminiFinishReason(candidate.finishReason, this.toolCallCount > 0) });
    } else if (!candidate && chunk.promptFeedback?.blockReason) {
      this.finished = true;
      out.push({ type: 'finish', finishReason: 'content_filter' });
    }
    return false;
  }

  end(out: ChatStreamPart[]): void {
    if (this.failed) return;
    if (!this.finished) {
      out.push({ type: 'error', error: malformedError(this.id, 'a stream that ended without a finish reason') });
      return;
    }
    out.push({ type: 'usage', usage: usageOf(this.usage) });
  }

  private fail(out: ChatStreamPart[], error: ProviderError): boolean {
    this.failed = true;
    out.push({ type: 'error', error });
    return true;
  }
}

/**
 * Records what one response part adds to the turn's reasoning: its thought text, and its
 * thought signature with the part it is on (`callIndex`: the turn's index of the part's call).
 * True when the part carried a signature.
 */
function readThought(part: GeminiPart, callIndex: number, thoughts: ThoughtCollector): boolean {
  if (part.thought && part.text) thoughts.thought(part.text);
  if (!part.thoughtSignature) return false;
  if (part.functionCall) thoughts.signCall(callIndex, part.thoughtSignature);
  else thoughts.signText(part.thoughtSignature);
  return true;
}

/**
 * Thought tokens are billed as output but counted apart from the candidates', so they are added
 * to the completion tokens and reported as reasoning tokens; cached content tokens are part of the prompt's.
 */
function usageOf(usage: GeminiUsage | undefined): TokenUsage {
  const result: TokenUsage = {
    promptTokens: usage?.promptTokenCount ?? 0,
    completionTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
  };
  if (typeof usage?.thoughtsTokenCount === 'number') result.reasoningTokens = usage.thoughtsTokenCount;
  if (typeof usage?.cachedContentTokenCount === 'number') result.cachedPromptTokens = usage.cachedContentTokenCount;
  return result;
}

/** Running usage: intermediate chunks count the prompt, and candidates only once Gemini has counted them. */
function partialUsageOf(usage: GeminiUsage): PartialTokenUsage | undefined {
  if (typeof usage.promptTokenCount !== 'number') return undefined;
  const { promptTokens, completionTokens, cachedPromptTokens } = usageOf(usage);
  const counted = usage.candidatesTokenCount !== undefined || usage.thoughtsTokenCount !== undefined;
  return {
    promptTokens,
    ...(counted ? { completionTokens } : {}),
    ...(cachedPromptTokens === undefined ? {} : { cachedPromptTokens }),
  };
}

/** A provider for the Google Gemini API (`generateContent` / `streamGenerateContent`). */
export function createGoogleProvider(options: GoogleProviderOptions, transport: UpstreamTransport): Provider {
  const { id } = options;
  const base = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.apiKey) headers['x-goog-api-key'] = options.apiKey;
  const urlOf = (model: string, stream: boolean) =>
    `${base}/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;

  async function chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    const url = urlOf(request.model, false);
    const body = (await postJson(transport, { provider: id, url, headers, body: toGeminiBody(request), signal })) as GeminiResponse | null;
    if (body?.error) throw inBandError(id, body.error.message ?? body.error.status);
    const candidate = body?.candidates?.[0];
    const common = {
      id: body?.responseId ?? randomUUID(),
      model: body?.modelVersion ?? request.model,
      usage: usageOf(body?.usageMetadata),
    };
    if (!candidate) {
      // A blocked prompt is an answer (the filter said no), not an upstream failure.
      if (body?.promptFeedback?.blockReason) return { ...common, content: null, toolCalls: [], finishReason: 'content_filter' };
      throw malformedError(id, 'a response without candidates');
    }
    let text: string | null = null;
    const toolCalls: ToolCall[] = [];
    const thoughts = createThoughtCollector();
    for (const part of candidate.content?.parts ?? []) {
      if (typeof part.text === 'string' && !part.thought) text = (text ?? '') + part.text;
      readThought(part, toolCalls.length, thoughts);
      if (part.functionCall) {
        toolCalls.push({
          id: part.functionCall.id ?? `call_${toolCalls.length}`,
          name: part.functionCall.name ?? '',
          arguments: JSON.stringify(part.functionCall.args ?? {}),
        });
      }
    }
    const finishReason = mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0);
    const reasoning = thoughts.trace();
    return { ...common, content: text, toolCalls, ...(reasoning ? { reasoning } : {}), finishReason };
  }

  function stream(request: ChatRequest, signal: CancelSignal): AsyncIterable<ChatStreamPart> {
    return streamUpstream(transport, () => ({ provider: id, url: urlOf(request.model, true), headers, body: toGeminiBody(request), signal }), createGeminiDecoder);
  }

  return {
    id,
    type: 'google',
    chat,
    stream,
    embed: createGeminiEmbed(id, base, headers, transport),
  };
}
