import type { ChatRequest, ChatResult, ChatStreamPart, Provider, ToolCall } from '../contract.js';
import { streamUpstream, type StreamDecoder } from '../http/stream-upstream.js';
import type { ProviderError } from '../provider-error.js';
import type { SseEvent } from '../http/parse-sse.js';
import { inBandError, malformedError, postJson, type UpstreamTransport } from '../http/send-upstream.js';
import { createOpenAIEmbed } from './openai-embeddings.js';
import { mapOpenAIFinishReason, reasoningTextOf, toOpenAIBody, usageFromOpenAI, type OpenAIChatBody } from './openai-wire.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface OpenAIProviderOptions {
  id: string;
  /** Base URL up to and including the version, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Extra headers sent upstream on every call. */
  headers?: Record<string, string>;
}


/** OpenAI chat.completion.chunk events (and `data: [DONE]`) to stream parts, one event at a time. */
function createOpenAIDecoder(id: string): StreamDecoder {
  return new OpenAIDecoder(id);
}

/** A class, so an open stream holds one object here (its flags), not three closures and their context. */
class OpenAIDecoder implements StreamDecoder {
  private sentMetadata = false;
  private finished = false;
  /** After an error part, nothing more. */
  private failed = false;

  constructor(private readonly id: string) {}

  event(event: SseEvent, out: ChatStreamPart[]): boolean {
    if (event.data === '[DONE]') return true;
    let chunk: OpenAIChatBody;
    try {
      chunk = JSON.parse(event.data) as OpenAIChatBody;
    } catch (error: unknown) {
      return this.fail(out, malformedError(this.id, 'a stream chunk that is not JSON', error));
    }
    if (chunk.error) return this.fail(out, inBandError(this.id, chunk.error?.message));
    if (!this.sentMetadata) {
      this.sentMetadata = true;
      out.push({ type: 'metadata', id: chunk.id, model: chunk.model });
    }
    const choice = chunk.choices?.[0];
    if (choice) {
      const delta = choice.delta;
      const reasoning = reasoningTextOf(delta);
      if (reasoning) out.push({ type: 'reasoning-delta', text: reasoning });
      if (delta?.content) out.push({ type: 'text-delta', text: delta.content });
      if (delta?.tool_calls) {
        for (const call of delta.tool_calls) {
          out.push({
            type: 'tool-call-delta',
            index: call.index ?? 0,
            id: call.id,
            name: call.function?.name,
            argumentsDelta: call.function?.arguments,
          });
        }
      }
      if (choice.finish_reason && !this.finished) {
        this.finished = true;
        out.push({ type: 'finish', finishReason: mapOpenAIFinishReason(choice.finish_reason) });
      }
    }
    if (chunk.usage) {
      // Some servers (vLLM's continuous usage stats) report running usage on every chunk: before the finish, it is partial.
      const usage = usageFromOpenAI(chunk.usage);
      if (this.finished) {
        out.push({ type: 'usage', usage });
      } else {
        // Partial usage has no reasoning count: it is only known with the total.
        const { promptTokens, completionTokens, cachedPromptTokens } = usage;
        const cached = cachedPromptTokens === undefined ? {} : { cachedPromptTokens };
        out.push({ type: 'usage', usage: { promptTokens, completionTokens, ...cached }, partial: true });
      }
    }
    return false;
  }

  end(out: ChatStreamPart[]): void {
    if (!this.finished && !this.failed) out.push({ type: 'error', error: malformedError(this.id, 'a stream that ended without a finish reason') });
  }

  private fail(out: ChatStreamPart[], error: ProviderError): boolean {
    this.failed = true;
    out.push({ type: 'error', error });
    return true;
  }
}

/** A provider for any OpenAI-compatible Chat Completions API (OpenAI, Groq, vLLM, Ollama …). */
export function createOpenAIProvider(options: OpenAIProviderOptions, transport: UpstreamTransport): Provider {
  const { id } = options;
  const base = options.baseUrl.replace(/\/+$/, '');
  const url = `${base}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    const body = (await postJson(transport, { provider: id, url, headers, body: toOpenAIBody(request, false), signal })) as OpenAIChatBody | null;
    if (body?.error) throw inBandError(id, body.error.message);
    const choice = body?.choices?.[0];
    if (!body || !choice?.message) throw malformedError(id, 'a completion without choices');
    const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((call, index) => ({
      id: call.id ?? `call_${index}`,
      name: call.function?.name ?? '',
      arguments: call.function?.arguments ?? '',
    }));
    const reasoning = reasoningTextOf(choice.message);
    return {
      id: body.id ?? '',
      model: body.model ?? request.model,
      content: choice.message.content ?? null,
      toolCalls,
      ...(reasoning ? { reasoning: { text: reasoning } } : {}),
      finishReason: mapOpenAIFinishReason(choice.finish_reason),
      usage: usageFromOpenAI(body.usage),
    };
  }

  function stream(request: ChatRequest, signal: CancelSignal): AsyncIterable<ChatStreamPart> {
    return streamUpstream(transport, () => ({ provider: id, url, headers, body: toOpenAIBody(request, true), signal }), createOpenAIDecoder);
  }

  return {
    id,
    type: 'openai',
    chat,
    stream,
    embed: createOpenAIEmbed(id, `${base}/embeddings`, headers, transport),
  };
}
