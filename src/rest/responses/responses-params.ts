import { isObject, onlyDefault, refuse, type ParamRule } from '../check-params.js';

const STATELESS = 'this gateway is stateless: it stores no responses or conversations. Send the whole conversation in `input` instead.';
const NOT_FORWARDED = 'the gateway cannot forward it to every provider, so it refuses it rather than drop it.';

/** `reasoning`: only an empty object (or null effort and summary) until the domain carries reasoning settings. */
function reasoningRule(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected an object';
  if (value.effort != null) return 'reasoning.effort cannot be honoured: this gateway version does not carry reasoning settings to the providers.';
  if (value.summary != null || value.generate_summary != null) return 'reasoning summaries are not available through this gateway.';
  return undefined;
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
  include: onlyDefault([[]], 'the gateway returns no extra output data (logprobs, encrypted reasoning, tool sources).'),
  parallel_tool_calls: onlyDefault([true], 'the gateway cannot turn off parallel tool calls.'),
  truncation: onlyDefault(['disabled'], 'the gateway never truncates the input; leave truncation "disabled".'),
  top_logprobs: onlyDefault([0], 'the gateway does not return log probabilities.'),
  service_tier: onlyDefault(['auto', 'default'], NOT_FORWARDED),
  max_tool_calls: refuse(NOT_FORWARDED),
  prompt: refuse('stored prompt templates live on OpenAI; send the text itself.'),
  prompt_cache_key: refuse(NOT_FORWARDED),
  prompt_cache_retention: refuse(NOT_FORWARDED),
};
