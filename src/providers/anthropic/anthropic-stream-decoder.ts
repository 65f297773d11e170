import type { ChatStreamPart } from '../contract.js';
import { ChunkTemplates } from '../http/chunk-template.js';
import type { SseEvent } from '../http/parse-sse.js';
import { inBandError, malformedError } from '../http/send-upstream.js';
import type { StreamDecoder } from '../http/stream-upstream.js';
import type { ProviderError } from '../provider-error.js';
import { mapAnthropicStopReason, usageFromAnthropic, type AnthropicStreamEvent, type AnthropicUsage } from './anthropic-wire.js';
import { createThinkingCollector } from './anthropic-thinking.js';

/**
 * The text of a `content_block_delta` of text, which is all such an event carries: a chunk a
 * template may stand for.
 */
function textDeltaOf(chunk: unknown): string | undefined {
  const event = chunk as AnthropicStreamEvent;
  const delta = event.delta;
  return event.type === 'content_block_delta' && delta?.type === 'text_delta' && typeof delta.text === 'string' ? delta.text : undefined;
}

/**
 * The Messages API event sequence (message_start … message_stop, ping, error) to stream parts, one event at a time.
 * `templates: false` parses every event in full (the reference the templates are tested against).
 */
export function createAnthropicDecoder(id: string, templates = true): StreamDecoder {
  return new AnthropicDecoder(id, templates);
}

/** A class, so an open stream holds one object here (its state), not four closures and their context. */
class AnthropicDecoder implements StreamDecoder {
  private readonly usage: AnthropicUsage = {};
  /** Our tool-call index counts tool_use blocks only; content block indexes also count text blocks. */
  private readonly toolIndexByBlock = new Map<number, number>();
  private readonly thinking = createThinkingCollector();
  /** Content block indexes of `thinking` blocks: their deltas are reasoning. */
  private readonly thinkingBlocks = new Set<number>();
  private finished = false;
  private usageSent = false;
  /** After an error part (or message_stop), nothing more. */
  private closed = false;
  /** Stand for the text and the thinking deltas to come; see `ChunkTemplate`. */
  private readonly texts: ChunkTemplates;
  private readonly thoughts: ChunkTemplates;

  constructor(
    private readonly id: string,
    templates: boolean,
  ) {
    this.texts = new ChunkTemplates(textDeltaOf, 'text-delta', templates);
    this.thoughts = new ChunkTemplates(this.thinkingDeltaOf, 'reasoning-delta', templates);
  }

  /** The thinking of a `thinking_delta` in a block started as thinking (the blocks only ever grow in number). */
  private readonly thinkingDeltaOf = (chunk: unknown): string | undefined => {
    const event = chunk as AnthropicStreamEvent;
    const delta = event.delta;
    if (event.type !== 'content_block_delta' || delta?.type !== 'thinking_delta' || !this.thinkingBlocks.has(event.index ?? -1)) return undefined;
    return typeof delta.thinking === 'string' ? delta.thinking : undefined;
  };

  event(sse: SseEvent, out: ChatStreamPart[]): boolean {
    if (this.texts.decode(sse.data, out)) return false;
    const thought = this.thoughts.valueIn(sse.data);
    if (thought !== undefined) {
      // As the full decoding does: the thinking also goes to the signature's text.
      if (thought) {
        this.thinking.appendThinking(thought);
        out.push({ type: 'reasoning-delta', text: thought });
      }
      return false;
    }
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(sse.data) as AnthropicStreamEvent;
    } catch (error: unknown) {
      return this.fail(out, malformedError(this.id, 'a stream event that is not JSON', error));
    }
    this.texts.learn(sse.data, event);
    this.thoughts.learn(sse.data, event);
    switch (event.type ?? sse.event) {
      case 'message_start':
        mergeUsage(this.usage, event.message?.usage);
        out.push({ type: 'metadata', id: event.message?.id, model: event.message?.model });
        // The prompt's tokens are known from here on: a stream cut short counts these, not an estimate.
        if (event.message?.usage) out.push({ type: 'usage', usage: usageFromAnthropic(this.usage), partial: true });
        return false;
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'tool_use') {
          const index = this.toolIndexByBlock.size;
          this.toolIndexByBlock.set(event.index ?? -1, index);
          out.push({ type: 'tool-call-delta', index, id: block.id, name: block.name });
        } else if (block?.type === 'text' && block.text) {
          out.push({ type: 'text-delta', text: block.text });
        } else if (block?.type === 'thinking') {
          this.thinkingBlocks.add(event.index ?? -1);
          const text = this.thinking.startThinking(block.thinking ?? '');
          if (text) out.push({ type: 'reasoning-delta', text });
          if (block.signature) {
            this.thinking.sign(block.signature);
            this.signatureChanged(out);
          }
        } else if (block?.type === 'redacted_thinking' && block.data) {
          this.thinking.redacted(block.data);
          this.signatureChanged(out);
        }
        return false;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta' && delta.text) {
          out.push({ type: 'text-delta', text: delta.text });
        } else if (delta?.type === 'input_json_delta' && delta.partial_json) {
          const index = this.toolIndexByBlock.get(event.index ?? -1);
          if (index !== undefined) out.push({ type: 'tool-call-delta', index, argumentsDelta: delta.partial_json });
        } else if (delta?.type === 'thinking_delta' && delta.thinking && this.thinkingBlocks.has(event.index ?? -1)) {
          this.thinking.appendThinking(delta.thinking);
          out.push({ type: 'reasoning-delta', text: delta.thinking });
        } else if (delta?.type === 'signature_delta' && delta.signature && this.thinkingBlocks.has(event.index ?? -1)) {
          this.thinking.sign(delta.signature);
          this.signatureChanged(out);
        }
        // citations_delta: not part of our contract.
        return false;
      }
      case 'message_delta':
        mergeUsage(this.usage, event.usage);
        if (event.usage) out.push({ type: 'usage', usage: usageFromAnthropic(this.usage), partial: true });
        if (event.delta?.stop_reason && !this.finished) {
          this.finished = true;
          out.push({ type: 'finish', finishReason: mapAnthropicStopReason(event.delta.stop_reason) });
        }
        return false;
      case 'message_stop':
        this.usageSent = true;
        this.closed = true;
        out.push({ type: 'usage', usage: usageFromAnthropic(this.usage) });
        return true;
      case 'error':
        return this.fail(out, inBandError(this.id, event.error?.message ?? event.error?.type));
      default:
        // ping, content_block_stop and event types added later carry nothing we need.
        return false;
    }
  }

  end(out: ChatStreamPart[]): void {
    if (this.closed) return;
    if (!this.finished) {
      out.push({ type: 'error', error: malformedError(this.id, 'a stream that ended without a stop reason') });
    } else if (!this.usageSent) {
      // The answer is complete once stop_reason arrived; a lost message_stop must not lose the this.usage.
      out.push({ type: 'usage', usage: usageFromAnthropic(this.usage) });
    }
  }

  private signatureChanged(out: ChatStreamPart[]): void {
    const signature = this.thinking.signature();
    if (signature) out.push({ type: 'reasoning-signature', signature });
  }

  private fail(out: ChatStreamPart[], error: ProviderError): boolean {
    this.closed = true;
    out.push({ type: 'error', error });
    return true;
  }
}

/** `message_delta` usage is cumulative: take every count it carries over the earlier ones. */
function mergeUsage(into: AnthropicUsage, from: AnthropicUsage | undefined): void {
  if (!from) return;
  for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    const value = from[key];
    if (typeof value === 'number') into[key] = value;
  }
}
