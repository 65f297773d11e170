import { readJsonBody, sendJson } from './http-io.js';
import { createChunker, toCompletionJson } from './openai-chat-format.js';
import type { RestContext } from './rest-context.js';
import { relayAsSse, withChatCall } from './relay-as-sse.js';
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

/** POST /v1/chat/completions: one answer as JSON, or (body `stream: true`) SSE chunks. */
export async function chatCompletions(context: RestContext): Promise<void> {
  const { res, requestId, services } = context;
  const { input, stream } = toChatInput(await readJsonBody(context.req, context.maxBodyBytes, context.requestTimeoutMs));
  const request = toRestChatRequest(input, PARAMS);
  await withChatCall(context, async (chatCall, finish) => {
    if (!stream.stream) {
      const completion = await services.chat.chat(request, chatCall);
      finish();
      sendJson(res, 200, toCompletionJson(completion), { 'x-request-id': requestId });
      return;
    }
    const chunker = createChunker(stream.includeUsage);
    await relayAsSse(
      context,
      services.chat.stream(request, chatCall),
      {
        frames: (event) => chunker(event).map(data),
        end: () => ['data: [DONE]\n\n'],
        fail: (shaped) => [data(shaped.body)],
      },
      finish,
    );
  });
}

