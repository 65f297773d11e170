import type { SuccessScenario, WireFormat } from '../../helpers/scenario.js';

/**
 * OpenAI Chat Completions, as api.openai.com sends it (chat.completion and chat.completion.chunk).
 * Reasoning is rendered the way OpenAI-compatible reasoning servers (DeepSeek, vLLM, OpenRouter)
 * send it: `reasoning_content` on the message and on deltas, before any content; such servers
 * have no reasoning signature, so a scenario's `signature` is not rendered.
 */
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
  const { promptTokens, completionTokens, reasoningTokens, cachedPromptTokens } = scenario.usage;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...(cachedPromptTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: cachedPromptTokens, audio_tokens: 0 } }),
    ...(reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } }),
  };
}

/** DeepSeek-style reasoning deltas: `content` is null while the model thinks. */
function reasoningFrames(scenario: SuccessScenario, model: string): string[] {
  return (scenario.reasoning?.chunks ?? []).map((text) => chunk(model, { content: null, reasoning_content: text }));
}

function reasoningOf(scenario: SuccessScenario): Record<string, unknown> {
  return scenario.reasoning ? { reasoning_content: scenario.reasoning.chunks.join('') } : {};
}

export const openaiFormat: WireFormat = {
  isStream: (_path, body) => (body as { stream?: boolean } | undefined)?.stream === true,
  modelOf: (_path, body) => String((body as { model?: string } | undefined)?.model ?? 'unknown'),
  completion(scenario, model) {
    const message =
      scenario.kind === 'text'
        ? { role: 'assistant', ...reasoningOf(scenario), content: scenario.chunks.join(''), refusal: null }
        : {
            role: 'assistant',
            ...reasoningOf(scenario),
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
    // The role chunk opens the stream; reasoning comes before the first content delta.
    const [opening = '', ...textFrames] = this.partialFrames(scenario.kind === 'text' ? scenario.chunks : [], model);
    const frames =
      scenario.kind === 'text'
        ? [opening, ...reasoningFrames(scenario, model), ...textFrames]
        : [
            chunk(model, { role: 'assistant', content: null }),
            ...reasoningFrames(scenario, model),
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
