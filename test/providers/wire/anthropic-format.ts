import type { SuccessScenario, WireFormat } from '../../helpers/scenario.js';

/** The Anthropic Messages API, as api.anthropic.com sends it (`message` objects and named SSE events). */
const ID = 'msg_01MockXyZ';
/**
 * Claude usually says something before calling tools, so tool-call answers start
 * with a text block: tool_use blocks then sit at content index 1, 2 … which
 * checks that adapters number tool calls apart from content blocks.
 */
const TOOL_PREAMBLE = 'Let me check.';

function frame(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}`;
}

/**
 * A signature as the API sends one when a scenario names none: base64 of opaque bytes.
 * Anthropic reports no reasoning token count apart from output_tokens.
 */
const DEFAULT_SIGNATURE = 'RXFNb2NrVGhpbmtpbmdTaWduYXR1cmU=';

/** `input_tokens` excludes the cache: cached prompt tokens are rendered as cache reads. */
function inputUsageOf(promptTokens: number, cachedPromptTokens = 0) {
  return {
    input_tokens: promptTokens - cachedPromptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cachedPromptTokens,
  };
}

function usageOf(scenario: SuccessScenario) {
  return { ...inputUsageOf(scenario.usage.promptTokens, scenario.usage.cachedPromptTokens), output_tokens: scenario.usage.completionTokens };
}

function thinkingBlockOf(scenario: SuccessScenario): Record<string, unknown>[] {
  const reasoning = scenario.reasoning;
  return reasoning ? [{ type: 'thinking', thinking: reasoning.chunks.join(''), signature: reasoning.signature ?? DEFAULT_SIGNATURE }] : [];
}

/** A streamed thinking block: thinking_delta events, then one signature_delta just before the block stops. */
function thinkingBlockFrames(index: number, scenario: SuccessScenario): string[] {
  const reasoning = scenario.reasoning;
  if (!reasoning) return [];
  return [
    frame('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } }),
    ...reasoning.chunks.map((thinking) => frame('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } })),
    frame('content_block_delta', { index, delta: { type: 'signature_delta', signature: reasoning.signature ?? DEFAULT_SIGNATURE } }),
    frame('content_block_stop', { index }),
  ];
}

function stopReasonOf(scenario: SuccessScenario): string {
  if (scenario.kind === 'tool-calls') return 'tool_use';
  return scenario.finishReason === 'length' ? 'max_tokens' : 'end_turn';
}

function messageStart(model: string, inputTokens: number, cachedPromptTokens?: number): string {
  return frame('message_start', {
    message: {
      id: ID,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...inputUsageOf(inputTokens, cachedPromptTokens), output_tokens: 1 },
    },
  });
}

function textBlockFrames(index: number, chunks: string[]): string[] {
  return [
    frame('content_block_start', { index, content_block: { type: 'text', text: '' } }),
    ...chunks.map((text) => frame('content_block_delta', { index, delta: { type: 'text_delta', text } })),
  ];
}

/** Error `type` per status, as the API documents them. */
function errorTypeOf(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export const anthropicFormat: WireFormat = {
  isStream: (_path, body) => (body as { stream?: boolean } | undefined)?.stream === true,
  modelOf: (_path, body) => String((body as { model?: string } | undefined)?.model ?? 'unknown'),
  completion(scenario, model) {
    const answer =
      scenario.kind === 'text'
        ? [{ type: 'text', text: scenario.chunks.join('') }]
        : [
            { type: 'text', text: TOOL_PREAMBLE },
            ...scenario.calls.map((call) => ({
              type: 'tool_use',
              id: call.id,
              name: call.name,
              input: JSON.parse(call.argumentChunks.join('')) as unknown,
            })),
          ];
    const content = [...thinkingBlockOf(scenario), ...answer];
    return {
      id: ID,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReasonOf(scenario),
      stop_sequence: null,
      usage: usageOf(scenario),
    };
  },
  partialFrames(chunks, model, promptTokens = 0) {
    return [messageStart(model, promptTokens), ...textBlockFrames(0, chunks)];
  },
  streamFrames(scenario, model) {
    const { promptTokens, cachedPromptTokens } = scenario.usage;
    const frames = [messageStart(model, promptTokens, cachedPromptTokens), frame('ping', {}), ...thinkingBlockFrames(0, scenario)];
    // The thinking block, when there is one, takes content index 0.
    const first = scenario.reasoning ? 1 : 0;
    if (scenario.kind === 'text') {
      frames.push(...textBlockFrames(first, scenario.chunks), frame('content_block_stop', { index: first }));
    } else {
      frames.push(...textBlockFrames(first, [TOOL_PREAMBLE]), frame('content_block_stop', { index: first }));
      scenario.calls.forEach((call, position) => {
        const index = first + position + 1;
        frames.push(
          frame('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }),
          // The API opens every tool input with an empty partial_json.
          ...['', ...call.argumentChunks].map((partial_json) =>
            frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
          ),
          frame('content_block_stop', { index }),
        );
      });
    }
    frames.push(
      frame('message_delta', {
        delta: { stop_reason: stopReasonOf(scenario), stop_sequence: null },
        usage: { output_tokens: scenario.usage.completionTokens },
      }),
      frame('message_stop', {}),
    );
    return frames;
  },
  // message_stop (the last of streamFrames) ends an Anthropic stream; there is no [DONE].
  terminator: () => [],
  errorFrame: (message) => frame('error', { error: { type: 'overloaded_error', message } }),
  errorBody: (status, message) => ({
    type: 'error',
    error: { type: errorTypeOf(status), message },
    request_id: 'req_mock01',
  }),
};
