import type { ChatStreamPart } from '../contract.js';
import { ChunkTemplates } from '../http/chunk-template.js';
import type { SseEvent } from '../http/parse-sse.js';
import { inBandError, malformedError } from '../http/send-upstream.js';
import type { StreamDecoder } from '../http/stream-upstream.js';
import type { ProviderError } from '../provider-error.js';
import { mapOpenAIFinishReason, reasoningTextOf, usageFromOpenAI, type OpenAIChatBody, type OpenAIMessageFields } from './openai-wire.js';

/** The delta of a chunk that carries no tool call, finish, usage or error. */
function plainDeltaOf(chunk: unknown): OpenAIMessageFields | undefined {
  const { error, usage, choices } = chunk as OpenAIChatBody;
  const choice = choices?.[0];
  const delta = choice?.delta;
  return error || usage || !delta || choice.finish_reason || delta.tool_calls ? undefined : delta;
}

/** The text of a chunk that carries text and nothing else the decoder reads: a chunk a template may stand for. */
function plainTextOf(chunk: unknown): string | undefined {
  const delta = plainDeltaOf(chunk);
  if (!delta || reasoningTextOf(delta) !== undefined) return undefined;
  return typeof delta.content === 'string' ? delta.content : undefined;
}

/** The same for reasoning (a thinking model's first thousands of tokens): reasoning and no text. */
function plainReasoningOf(chunk: unknown): string | undefined {
  const delta = plainDeltaOf(chunk);
  if (!delta || delta.content) return undefined;
  // As reasoningTextOf reads it, empty text included.
  const reasoning = delta.reasoning_content ?? (typeof delta.reasoning === 'string' ? delta.reasoning : undefined);
  return typeof reasoning === 'string' ? reasoning : undefined;
}

/**
 * OpenAI chat.completion.chunk events (and `data: [DONE]`) to stream parts, one event at a time.
 * `templates: false` parses every chunk in full (the reference the templates are tested against).
 */
export function createOpenAIDecoder(id: string, templates = true): StreamDecoder {
  return new OpenAIDecoder(id, templates);
}

/** A class, so an open stream holds one object here (its flags), not three closures and their context. */
class OpenAIDecoder implements StreamDecoder {
  private sentMetadata = false;
  private finished = false;
  /** After an error part, nothing more. */
  private failed = false;
  /** Stand for the text and the reasoning chunks to come; see `ChunkTemplate`. */
  private readonly texts: ChunkTemplates;
  private readonly reasonings: ChunkTemplates;

  constructor(
    private readonly id: string,
    templates: boolean,
  ) {
    this.texts = new ChunkTemplates(plainTextOf, 'text-delta', templates);
    this.reasonings = new ChunkTemplates(plainReasoningOf, 'reasoning-delta', templates);
  }

  event(event: SseEvent, out: ChatStreamPart[]): boolean {
    const { data } = event;
    if (data === '[DONE]') return true;
    if (this.texts.decode(data, out) || this.reasonings.decode(data, out)) return false;
    let chunk: OpenAIChatBody;
    try {
      chunk = JSON.parse(data) as OpenAIChatBody;
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
    this.texts.learn(data, chunk);
    this.reasonings.learn(data, chunk);
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
