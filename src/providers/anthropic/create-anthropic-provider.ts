import type { ChatRequest, ChatResult, ChatStreamPart, Provider, ToolCall } from '../contract.js';
import { streamUpstream } from '../http/stream-upstream.js';
import { inBandError, malformedError, postJson, type UpstreamTransport } from '../http/send-upstream.js';
import { mapAnthropicStopReason, toAnthropicBody, usageFromAnthropic, type AnthropicMessage } from './anthropic-wire.js';
import { createAnthropicDecoder } from './anthropic-stream-decoder.js';
import { createThinkingCollector } from './anthropic-thinking.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface AnthropicProviderOptions {
  id: string;
  /** Base URL up to and including the version; defaults to `https://api.anthropic.com/v1`. */
  baseUrl?: string;
  apiKey?: string;
  /** The `anthropic-version` header; defaults to `2023-06-01`. */
  apiVersion?: string;
  /** `max_tokens` when the request sets none (Anthropic requires one); defaults to 4096. */
  defaultMaxTokens?: number;
  /** Extra headers sent upstream on every call (e.g. `anthropic-beta`). */
  headers?: Record<string, string>;
}

/** A provider for the Anthropic Messages API (`POST /v1/messages`). */
export function createAnthropicProvider(options: AnthropicProviderOptions, transport: UpstreamTransport): Provider {
  const { id } = options;
  const url = `${(options.baseUrl ?? 'https://api.anthropic.com/v1').replace(/\/+$/, '')}/messages`;
  const defaultMaxTokens = options.defaultMaxTokens ?? 4096;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': options.apiVersion ?? '2023-06-01',
    ...options.headers,
  };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;

  async function chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    const body = toAnthropicBody(request, false, defaultMaxTokens);
    const message = (await postJson(transport, { provider: id, url, headers, body, signal })) as AnthropicMessage | null;
    if (message?.type === 'error') throw inBandError(id, message.error?.message ?? message.error?.type);
    if (!message || !Array.isArray(message.content)) throw malformedError(id, 'a message without content');
    let text: string | null = null;
    const toolCalls: ToolCall[] = [];
    const thinking = createThinkingCollector();
    for (const block of message.content) {
      if (block.type === 'text' && typeof block.text === 'string') text = (text ?? '') + block.text;
      else if (block.type === 'thinking') {
        thinking.startThinking(block.thinking ?? '');
        if (block.signature) thinking.sign(block.signature);
      } else if (block.type === 'redacted_thinking' && block.data) {
        thinking.redacted(block.data);
      } else if (block.type === 'tool_use') {
        toolCalls.push({
          id: block.id ?? `toolu_${toolCalls.length}`,
          name: block.name ?? '',
          arguments: JSON.stringify(block.input ?? {}),
        });
      }
    }
    const reasoning = thinking.trace();
    return {
      id: message.id ?? '',
      model: message.model ?? request.model,
      content: text,
      toolCalls,
      ...(reasoning ? { reasoning } : {}),
      finishReason: mapAnthropicStopReason(message.stop_reason),
      usage: usageFromAnthropic(message.usage),
    };
  }

  function stream(request: ChatRequest, signal: CancelSignal): AsyncIterable<ChatStreamPart> {
    return streamUpstream(transport, () => ({ provider: id, url, headers, body: toAnthropicBody(request, true, defaultMaxTokens), signal }), createAnthropicDecoder);
  }

  return {
    id,
    type: 'anthropic',
    chat,
    stream,
  };
}
