import { toChatRequest } from '../schema/to-chat-request.js';
import type { ChatStreamEvent } from '../services/chat-types.js';
import { classifyFailure } from '../classify-failure.js';
import { readJsonBody, sendJson } from './http-io.js';
import { createChunker, toCompletionJson } from './openai-chat-format.js';
import { toOpenAIError } from './openai-error.js';
import type { RestContext } from './rest-context.js';
import { toChatInput } from './to-chat-input.js';

/** POST /v1/chat/completions: one answer as JSON, or (body `stream: true`) SSE chunks. */
export async function chatCompletions(context: RestContext): Promise<void> {
  const { req, res, principal, requestId, services } = context;
  const { input, stream } = toChatInput(await readJsonBody(req, context.maxBodyBytes, context.requestTimeoutMs));
  const request = toChatRequest(input);
  // Ends when the client goes away or the shutdown grace is over.
  const call = services.calls.open();
  let finished = false;
  const onClose = () => {
    if (!finished) call.abort(new Error('the client closed the connection'));
  };
  res.once('close', onClose);
  const chatCall = { principal, requestId, signal: call.signal };
  try {
    if (!stream.stream) {
      const completion = await services.chat.chat(request, chatCall);
      finished = true;
      sendJson(res, 200, toCompletionJson(completion), { 'x-request-id': requestId });
      return;
    }
    const events = services.chat.stream(request, chatCall);
    // The first event decides the status: admission errors still get a real HTTP error.
    let next: IteratorResult<ChatStreamEvent>;
    try {
      next = await events.next();
    } catch (error: unknown) {
      finished = true;
      throw error;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': requestId });
    res.flushHeaders();
    const chunker = createChunker(stream.includeUsage);
    try {
      while (!next.done && !res.destroyed) {
        for (const chunk of chunker(next.value)) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        next = await events.next();
      }
      if (!res.destroyed) res.write('data: [DONE]\n\n');
    } catch (error: unknown) {
      if (!res.destroyed) {
        const shaped = toOpenAIError(error);
        if (shaped.status >= 500 && shaped.body.error.code === 'internal_error' && classifyFailure(error).kind === 'fault') context.logger.error({ err: error, requestId }, 'REST stream failed');
        res.write(`data: ${JSON.stringify(shaped.body)}\n\n`);
      }
    } finally {
      finished = true;
      if (res.destroyed) void events.return(undefined).catch(() => undefined);
      res.end();
    }
  } finally {
    res.off('close', onClose);
    call.close();
  }
}
