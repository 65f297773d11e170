import type { SuccessScenario, WireFormat } from '../../helpers/scenario.js';

/** OpenAI Chat Completions, as api.openai.com sends it (chat.completion and chat.completion.chunk). */
const ID = 'chatcmpl-mock123';
const CREATED = 1_764_000_000;

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  })}`;
}

function usageOf(scenario: SuccessScenario) {
  const { promptTokens, completionTokens } = scenario.usage;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export const openaiFormat: WireFormat = {
  isStream: (_path, body) => (body as { stream?: boolean } | undefined)?.stream === true,
  modelOf: (_path, body) => String((body as { model?: string } | undefined)?.model ?? 'unknown'),
  completion(scenario, model) {
    const message =
      scenario.kind === 'text'
        ? { role: 'assistant', content: scenario.chunks.join(''), refusal: null }
        : {
            role: 'assistant',
            content: null,
            tool_calls: scenario.calls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: call.argumentChunks.join('') },
            })),
          };
    return {
      id: ID,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: scenario.kind === 'text' ? (scenario.finishReason ?? 'stop') : 'tool_calls',
        },
      ],
      usage: usageOf(scenario),
    };
  },
  partialFrames(chunks, model) {
    return [chunk(model, { role: 'assistant', content: '' }), ...chunks.map((text) => chunk(model, { content: text }))];
  },
  streamFrames(scenario, model) {
    const frames =
      scenario.kind === 'text'
        ? this.partialFrames(scenario.chunks, model)
        : [
            chunk(model, { role: 'assistant', content: null }),
            ...scenario.calls.flatMap((call, index) => [
              chunk(model, {
                tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
              }),
              ...call.argumentChunks.map((part) => chunk(model, { tool_calls: [{ index, function: { arguments: part } }] })),
            ]),
          ];
    const finish = scenario.kind === 'text' ? (scenario.finishReason ?? 'stop') : 'tool_calls';
    frames.push(chunk(model, {}, finish));
    frames.push(
      `data: ${JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: usageOf(scenario) })}`,
    );
    return frames;
  },
  terminator: () => ['data: [DONE]'],
  errorFrame: (message) => `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}`,
  errorBody(status, message) {
    const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message, type, param: null, code: status === 401 ? 'invalid_api_key' : null } };
  },
};
