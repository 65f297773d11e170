import type { ChatRequest, ChatResult, ChatStreamPart, Provider, ToolCall } from '../contract.js';
import { streamUpstream } from '../http/stream-upstream.js';
import { inBandError, malformedError, postJson, type UpstreamTransport } from '../http/send-upstream.js';
import { createOpenAIEmbed } from './openai-embeddings.js';
import { mapOpenAIFinishReason, reasoningTextOf, toOpenAIBody, usageFromOpenAI, type OpenAIChatBody } from './openai-wire.js';
import { createOpenAIDecoder } from './openai-stream-decoder.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface OpenAIProviderOptions {
  id: string;
  /** Base URL up to and including the version, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Extra headers sent upstream on every call. */
  headers?: Record<string, string>;
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
