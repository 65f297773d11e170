import { readJsonBody, sendJson } from './http-io.js';
import { createChunker, toCompletionJson } from './openai-chat-format.js';
import type { RestContext } from './rest-context.js';
import { relayAsSse, withChatCall, type SseRenderer } from './relay-as-sse.js';
import { toRestChatRequest } from './to-rest-chat-request.js';
import { toChatInput } from './to-chat-input.js';

/** ChatInput fields → this endpoint's body parameters, for error messages. */
const PARAMS = {
  messages: 'messages',
  temperature: 'temperature',
  topP: 'top_p',
  maxTokens: 'max_tokens',
  stop: 'stop',
  tools: 'tools',
  toolChoice: 'tool_choice',
  responseFormat: 'response_format.json_schema',
};

const data = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;

/** OpenAI's `chat.completion.chunk` frames, made apart from the request so they do not hold its prompt. */
function chunkFrames(includeUsage: boolean): SseRenderer {
  const chunker = createChunker(includeUsage);
  return {
    frames: (event) => chunker(event).map(data),
    end: () => ['data: [DONE]\n\n'],
    fail: (shaped) => [data(shaped.body)],
  };
}

/**
 * POST /v1/chat/completions: one answer as JSON, or (body `stream: true`) SSE chunks. The stream is
 * returned, not awaited: no frame that holds the request (and its prompt) stays open with it.
 */
export async function chatCompletions(context: RestContext): Promise<void> {
  const { res, requestId, services } = context;
  const { input, stream } = toChatInput(await readJsonBody(context.req, context.maxBodyBytes, context.requestTimeoutMs));
  const request = toRestChatRequest(input, PARAMS);
  if (stream.stream) {
    const renderer = chunkFrames(stream.includeUsage);
    return withChatCall(context, (chatCall, finish) => relayAsSse(context, services.chat.stream(request, chatCall), renderer, finish));
  }
  return withChatCall(context, async (chatCall, finish) => {
    const completion = await services.chat.chat(request, chatCall);
    finish();
    sendJson(res, 200, toCompletionJson(completion), { 'x-request-id': requestId });
  });
}

