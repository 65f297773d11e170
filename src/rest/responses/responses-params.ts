import { isObject, onlyDefault, refuse, type ParamRule } from '../check-params.js';

const STATELESS = 'this gateway is stateless: it stores no responses or conversations. Send the whole conversation in `input` instead.';
const NOT_FORWARDED = 'the gateway cannot forward it to every provider, so it refuses it rather than drop it.';

const SUMMARIES = ['auto', 'concise', 'detailed'];

/**
 * `reasoning`: `effort` is forwarded (see to-responses-input). A summary is
 * always the model's reasoning as its provider returns it, so every summary
 * setting gets the same; other fields are refused.
 */
function reasoningRule(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected an object';
  for (const field of ['summary', 'generate_summary']) {
    const summary = value[field];
    if (summary != null && !SUMMARIES.includes(summary as string)) return `reasoning.${field}: expected one of ${SUMMARIES.join(', ')}`;
  }
  const unknown = Object.keys(value).find((key) => !['effort', 'summary', 'generate_summary'].includes(key) && value[key] != null);
  return unknown ? `reasoning.${unknown.slice(0, 40)}: ${NOT_FORWARDED}` : undefined;
}

/** The one extra output the gateway can add: reasoning items' signatures, as `encrypted_content`. */
export const ENCRYPTED_REASONING = 'reasoning.encrypted_content';

function includeRule(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'expected an array';
  const other = value.find((entry) => entry !== ENCRYPTED_REASONING);
  return other === undefined ? undefined : `the gateway returns no ${JSON.stringify(other).slice(0, 60)}; only "${ENCRYPTED_REASONING}" is available.`;
}

/** `text`: `format` is honoured (see to-responses-input); `verbosity` is not forwarded. */
function textRule(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected an object';
  if (value.verbosity != null) return `text.verbosity: ${NOT_FORWARDED}`;
  return undefined;
}

/**
 * Every body parameter of POST /v1/responses and what the gateway does with it
 * (docs/rest.md lists the same). Anything not listed is refused.
 */
export const RESPONSES_PARAMS: Readonly<Record<string, ParamRule>> = {
  model: true,
  input: true,
  instructions: true,
  tools: true,
  tool_choice: true,
  max_output_tokens: true,
  temperature: true,
  top_p: true,
  reasoning: reasoningRule,
  text: textRule,
  stream: true,
  user: true,
  safety_identifier: true,
  // Echoed back on the response object, as OpenAI does.
  metadata: true,
  // Accepted; nothing is stored, and the response says `store: false`.
  store: true,
  // Obfuscation pads events against length side channels; the gateway sends none, which clients accept.
  stream_options: true,
  previous_response_id: refuse(STATELESS),
  conversation: refuse(STATELESS),
  background: onlyDefault([false], STATELESS),
  include: includeRule,
  parallel_tool_calls: onlyDefault([true], 'the gateway cannot turn off parallel tool calls.'),
  truncation: onlyDefault(['disabled'], 'the gateway never truncates the input; leave truncation "disabled".'),
  top_logprobs: onlyDefault([0], 'the gateway does not return log probabilities.'),
  service_tier: onlyDefault(['auto', 'default'], NOT_FORWARDED),
  max_tool_calls: refuse(NOT_FORWARDED),
  prompt: refuse('stored prompt templates live on OpenAI; send the text itself.'),
  prompt_cache_key: refuse(NOT_FORWARDED),
  prompt_cache_retention: refuse(NOT_FORWARDED),
};
