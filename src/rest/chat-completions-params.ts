import { onlyDefault, refuse, type ParamRule } from './check-params.js';

const NOT_FORWARDED = 'the gateway cannot forward it to every provider, so it refuses it rather than drop it.';

/**
 * Every body parameter of POST /v1/chat/completions and what the gateway does
 * with it (docs/rest.md lists the same). Anything not listed is refused.
 */
export const CHAT_COMPLETIONS_PARAMS: Readonly<Record<string, ParamRule>> = {
  model: true,
  messages: true,
  temperature: true,
  top_p: true,
  max_tokens: true,
  max_completion_tokens: true,
  stop: true,
  seed: true,
  tools: true,
  tool_choice: true,
  response_format: true,
  user: true,
  safety_identifier: true,
  stream: true,
  stream_options: true,
  // Stored completions are an OpenAI dashboard feature: accepted, nothing is stored.
  store: true,
  metadata: true,
  n: onlyDefault([1], 'only n = 1 is supported.'),
  logprobs: onlyDefault([false], 'the gateway does not return log probabilities.'),
  top_logprobs: refuse('the gateway does not return log probabilities.'),
  logit_bias: onlyDefault([{}], NOT_FORWARDED),
  presence_penalty: onlyDefault([0], NOT_FORWARDED),
  frequency_penalty: onlyDefault([0], NOT_FORWARDED),
  parallel_tool_calls: onlyDefault([true], 'the gateway cannot turn off parallel tool calls.'),
  modalities: onlyDefault([['text']], 'the gateway answers with text only.'),
  audio: refuse('the gateway answers with text only.'),
  reasoning_effort: true,
  service_tier: onlyDefault(['auto', 'default'], NOT_FORWARDED),
  prediction: refuse(NOT_FORWARDED),
  web_search_options: refuse(NOT_FORWARDED),
  verbosity: refuse(NOT_FORWARDED),
  prompt_cache_key: refuse(NOT_FORWARDED),
  functions: refuse('deprecated: use tools.'),
  function_call: refuse('deprecated: use tool_choice.'),
};
