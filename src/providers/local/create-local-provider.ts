import { randomUUID } from 'node:crypto';
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatStreamPart,
  EmbeddingRequest,
  EmbeddingResponse,
  Provider,
  TokenUsage,
  ToolCall,
} from '../contract.js';
import { ProviderError } from '../provider-error.js';
import { embedLocally } from './local-embeddings.js';
import { textOf } from '../content-parts.js';
import { answerWithTools, splitArguments } from './local-tools-model.js';
import { thinkAbout } from './local-think-model.js';
import { describeParts } from './local-vision-model.js';
import { delay, type CancelSignal } from '../cancel-signal.js';

export interface LocalProviderOptions {
  id: string;
  /**
   * Pause before each streamed token, in milliseconds, so a demo stream looks like a real one.
   * @default 30
   */
  tokenDelayMs?: number;
}

const LOREM =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat'.split(
    ' ',
  );
const DEFAULT_LOREM_TOKENS = 64;
/** Per-message framing tokens, as OpenAI counts them. */
const TOKENS_PER_MESSAGE = 3;
const TOKEN_PATTERN = /\s*\S+|\s+$/g;

/** Splits text the way the demo models count it: one token per word with its leading space. */
export function splitLocalTokens(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

function countPromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + TOKENS_PER_MESSAGE + splitLocalTokens(textOf(message)).length, 0);
}

function answerTokens(request: ChatRequest, id: string): string[] {
  if (request.model === 'tools') {
    const answer = answerWithTools(request, '');
    return splitLocalTokens(answer.kind === 'text' ? answer.text : '');
  }
  if (request.model === 'echo') {
    const last = [...request.messages].reverse().find((message) => message.role === 'user');
    return splitLocalTokens((last && textOf(last)) || '(nothing to echo)');
  }
  if (request.model === 'vision') return splitLocalTokens(describeParts(request));
  if (request.model === 'lorem') {
    const count = request.maxTokens ?? DEFAULT_LOREM_TOKENS;
    return Array.from({ length: count }, (_, index) => `${index === 0 ? '' : ' '}${LOREM[index % LOREM.length] ?? ''}`);
  }
  const what = request.model === 'embed' ? 'chat model "embed" (embed is an embedding model)' : `model "${request.model}"`;
  throw new ProviderError('UPSTREAM_REJECTED', `Provider "${id}" has no ${what} (it serves echo, lorem, tools, vision and think).`, {
    provider: id,
    status: 404,
    retryable: false,
  });
}

/** The tool call the `tools` model makes for this request, if it makes one. */
function toolCallOf(request: ChatRequest): ToolCall | undefined {
  if (request.model !== 'tools') return undefined;
  const answer = answerWithTools(request, `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`);
  return answer.kind === 'call' ? answer.call : undefined;
}

/**
 * Cuts the answer at maxTokens (reasoning is not cut: it counts in completion tokens, beyond
 * the limit); the finish reason says whether it was cut.
 */
function plan(request: ChatRequest, id: string) {
  const toolCall = toolCallOf(request);
  if (toolCall) {
    const pieces = splitArguments(toolCall.arguments);
    return { tokens: [], toolCall, pieces, reasoning: undefined, finishReason: 'tool_calls' as const, promptTokens: countPromptTokens(request.messages), completionTokens: pieces.length };
  }
  const thought = request.model === 'think' ? thinkAbout(request) : undefined;
  const tokens = thought ? splitLocalTokens(thought.answer) : answerTokens(request, id);
  const limit = request.maxTokens ?? Number.POSITIVE_INFINITY;
  const kept = tokens.length > limit ? tokens.slice(0, limit) : tokens;
  // The `think` model streams its reasoning one token per delta, as it counts it.
  const reasoning = thought && { ...thought.reasoning, tokens: splitLocalTokens(thought.reasoning.text) };
  return {
    tokens: kept,
    toolCall: undefined,
    pieces: [],
    reasoning,
    finishReason: kept.length < tokens.length ? ('length' as const) : ('stop' as const),
    promptTokens: countPromptTokens(request.messages),
    completionTokens: kept.length + (reasoning?.tokens.length ?? 0),
  };
}

/** Usage as the demo models count it; `reasoningTokens` only for a model that reasoned. */
function usageOf(answer: ReturnType<typeof plan>): TokenUsage {
  const usage: TokenUsage = { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens };
  if (answer.reasoning) usage.reasoningTokens = answer.reasoning.tokens.length;
  return usage;
}

/**
 * The built-in demo provider: deterministic, offline models that let a new user
 * see the whole gateway (routing, streaming, usage) work without any API key.
 */
export function createLocalProvider(options: LocalProviderOptions): Provider {
  const { id } = options;
  const tokenDelayMs = options.tokenDelayMs ?? 30;

  async function chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    signal.throwIfAborted();
    const answer = plan(request, id);
    return {
      id: `local-${randomUUID()}`,
      model: request.model,
      content: answer.toolCall ? null : answer.tokens.join(''),
      toolCalls: answer.toolCall ? [answer.toolCall] : [],
      ...(answer.reasoning ? { reasoning: { text: answer.reasoning.text, signature: answer.reasoning.signature } } : {}),
      finishReason: answer.finishReason,
      usage: usageOf(answer),
    };
  }

  async function* stream(request: ChatRequest, signal: CancelSignal): AsyncGenerator<ChatStreamPart> {
    signal.throwIfAborted();
    const answer = plan(request, id);
    yield { type: 'metadata', id: `local-${randomUUID()}`, model: request.model };
    const pause = async () => {
      if (tokenDelayMs <= 0) return;
      // Surface the caller's abort reason, as the HTTP adapters do, not a generic AbortError.
      await delay(tokenDelayMs, signal);
    };
    if (answer.reasoning) {
      for (const token of answer.reasoning.tokens) {
        await pause();
        yield { type: 'reasoning-delta', text: token };
      }
      yield { type: 'reasoning-signature', signature: answer.reasoning.signature };
    }
    const call = answer.toolCall;
    if (call) {
      // As real models stream a call: id and name first, then the arguments JSON in pieces.
      await pause();
      yield { type: 'tool-call-delta', index: 0, id: call.id, name: call.name };
      for (const piece of answer.pieces) {
        await pause();
        yield { type: 'tool-call-delta', index: 0, argumentsDelta: piece };
      }
    }
    for (const token of answer.tokens) {
      await pause();
      yield { type: 'text-delta', text: token };
    }
    yield { type: 'finish', finishReason: answer.finishReason };
    yield { type: 'usage', usage: usageOf(answer) };
  }

  async function embed(request: EmbeddingRequest, signal: CancelSignal): Promise<EmbeddingResponse> {
    return embedLocally(id, request, signal);
  }

  return { id, type: 'local', chat, stream, embed };
}
