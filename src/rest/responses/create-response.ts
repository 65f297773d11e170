import { readJsonBody, sendJson } from '../http-io.js';
import type { RestContext } from '../rest-context.js';
import { relayAsSse, withChatCall } from '../relay-as-sse.js';
import { toRestChatRequest } from '../to-rest-chat-request.js';
import { createResponseEvents } from './create-response-events.js';
import { newId, outputOf, statusOf, toResponseJson } from './to-response-json.js';
import { toResponsesInput } from './to-responses-input.js';

/** ChatInput fields → this endpoint's body parameters, for error messages (messages do not map one to one onto items). */
const PARAMS = {
  messages: 'input!',
  temperature: 'temperature',
  topP: 'top_p',
  maxTokens: 'max_output_tokens',
  tools: 'tools',
  toolChoice: 'tool_choice',
  responseFormat: 'text.format',
};

/**
 * POST /v1/responses: the Responses API, stateless. The same path through the
 * chat service as /v1/chat/completions (auth, limits, routing, cache, usage);
 * one `response` object as JSON, or (body `stream: true`) its event stream.
 */
export async function createResponse(context: RestContext): Promise<void> {
  const { res, requestId, services } = context;
  const { input, stream, echo, encryptedReasoning } = toResponsesInput(await readJsonBody(context.req, context.maxBodyBytes, context.requestTimeoutMs));
  const request = toRestChatRequest(input, PARAMS);
  const id = newId('resp');
  const createdAt = Math.floor(Date.now() / 1000);
  // Returned, not awaited: no frame that holds the request (and its prompt) stays open with a stream.
  if (stream) {
    const renderer = createResponseEvents(echo, id, createdAt, encryptedReasoning);
    return withChatCall(context, (chatCall, finish) => relayAsSse(context, services.chat.stream(request, chatCall), renderer, finish));
  }
  return withChatCall(context, async (chatCall, finish) => {
    const completion = await services.chat.chat(request, chatCall);
    finish();
    const { status, incomplete } = statusOf(completion.finishReason);
    const state = { id, createdAt, model: completion.model, status, incomplete, output: outputOf(completion, encryptedReasoning), usage: completion.usage };
    sendJson(res, 200, toResponseJson(state, echo), { 'x-request-id': requestId });
  });
}
