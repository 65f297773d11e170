import fc from 'fast-check';
import { textArb } from './graphql-arbitraries.js';

/*
 * `/v1/chat/completions` and `/v1/embeddings` bodies as recipes: OpenAI-shaped ones with odd
 * values (valid-ish), and hostile JSON (deep, huge, wrong types, prototype keys, long words).
 */

const MODELS = ['mock/gpt', 'local/echo', 'local/lorem', 'local/embed', 'fast', 'nope/never', '', 7, null, ['mock/gpt']];
const ROLES = ['system', 'user', 'assistant', 'tool', 'developer', 'function', 'wizard', '', 1, null];

const contentArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: textArb, weight: 4 },
  fc.array(
    fc.oneof(
      textArb.map((text) => ({ type: 'text', text })),
      fc.constantFrom('https://example.invalid/a.png', 'data:image/png;base64,AAAA', 'data:,', 'javascript:alert(1)', '').map((url) => ({ type: 'image_url', image_url: { url, detail: 'high' } })),
      fc.constantFrom('AAAA', '', '!!!').map((data) => ({ type: 'input_audio', input_audio: { data, format: 'wav' } })),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    { maxLength: 4 },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

const messageArb = fc.record(
  {
    role: fc.constantFrom(...ROLES),
    content: contentArb,
    name: fc.string({ maxLength: 20 }),
    tool_call_id: fc.string({ maxLength: 10 }),
    tool_calls: fc.array(fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.string() }) }), { maxLength: 2 }),
  },
  { requiredKeys: ['role'] },
);

const chatBodyArb = fc.record(
  {
    model: fc.constantFrom(...MODELS),
    messages: fc.oneof(fc.array(messageArb, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
    stream: fc.oneof(fc.boolean(), fc.constantFrom('yes', 1, null)),
    stream_options: fc.constantFrom({ include_usage: true }, { include_usage: 'x' }, null),
    temperature: fc.oneof(fc.double(), fc.constantFrom('hot', null)),
    top_p: fc.double(),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constantFrom(1e308, 2 ** 53, '10')),
    n: fc.integer({ min: -1, max: 5 }),
    stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 6 })),
    seed: fc.oneof(fc.integer(), fc.double()),
    tools: fc.array(fc.record({ type: fc.constantFrom('function', 'web_search'), function: fc.record({ name: fc.string(), parameters: fc.jsonValue({ maxDepth: 3 }) }) }), { maxLength: 3 }),
    tool_choice: fc.constantFrom('auto', 'none', 'required', { type: 'function', function: { name: 'x' } }, 7),
    response_format: fc.constantFrom({ type: 'json_object' }, { type: 'json_schema', json_schema: {} }, 'json'),
    reasoning_effort: fc.constantFrom('low', 'high', 'max', 3),
    logprobs: fc.boolean(),
    user: fc.string(),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['model', 'messages'] },
);

const embeddingBodyArb = fc.record(
  {
    model: fc.constantFrom(...MODELS),
    input: fc.oneof(textArb, fc.array(textArb, { maxLength: 8 }), fc.array(fc.integer(), { maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
    dimensions: fc.oneof(fc.integer({ min: -2, max: 5_000 }), fc.constantFrom('8', null)),
    encoding_format: fc.constantFrom('float', 'base64', 'hex', 1),
    user: fc.string(),
  },
  { requiredKeys: ['model', 'input'] },
);

/** A body recipe for one `/v1` path. */
export type RestBodyRecipe =
  | { kind: 'json'; value: unknown }
  | { kind: 'long-word'; char: string; n: number; stream: boolean }
  | { kind: 'many-messages'; n: number }
  | { kind: 'deep'; n: number }
  | { kind: 'raw'; text: string }
  | { kind: 'over-limit'; n: number };

export const restBodyArb = (path: '/v1/chat/completions' | '/v1/embeddings'): fc.Arbitrary<RestBodyRecipe> =>
  fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('json' as const), value: path === '/v1/embeddings' ? embeddingBodyArb : chatBodyArb }), weight: 6 },
    fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }),
    fc.record({ kind: fc.constant('long-word' as const), char: fc.constantFrom('x', 'é', '🦄', 'ab', '1'), n: fc.integer({ min: 1_000, max: 400_000 }), stream: fc.boolean() }),
    fc.record({ kind: fc.constant('many-messages' as const), n: fc.integer({ min: 1, max: 60_000 }) }),
    fc.record({ kind: fc.constant('deep' as const), n: fc.integer({ min: 1, max: 150_000 }) }),
    fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), fc.constantFrom('', ' ', 'null', '[]', '{"__proto__": {"model": "x"}}', '{"model": "mock/gpt", "messages": [{"role": "user", "content": "hi"}]', '\uFEFF{}')) }),
    fc.record({ kind: fc.constant('over-limit' as const), n: fc.integer({ min: 1, max: 3 }) }),
  );

/** The body text of a recipe for `path`. */
export function restBodyText(recipe: RestBodyRecipe, path: string, maxBodyBytes: number): string {
  const embeddings = path === '/v1/embeddings';
  switch (recipe.kind) {
    case 'json':
      return JSON.stringify(recipe.value) ?? 'null';
    case 'long-word': {
      const word = recipe.char.repeat(recipe.n);
      return embeddings
        ? JSON.stringify({ model: 'local/embed', input: word })
        : JSON.stringify({ model: 'mock/gpt', stream: recipe.stream, messages: [{ role: 'user', content: word }] });
    }
    case 'many-messages':
      return embeddings
        ? JSON.stringify({ model: 'local/embed', input: Array.from({ length: recipe.n }, () => 'hi') })
        : JSON.stringify({ model: 'local/echo', messages: Array.from({ length: recipe.n }, () => ({ role: 'user', content: 'hi' })) });
    case 'deep':
      return embeddings
        ? `{"model":"local/embed","input":${'['.repeat(recipe.n)}"x"${']'.repeat(recipe.n)}}`
        : `{"model":"mock/gpt","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"t","parameters":${'{"a":'.repeat(recipe.n)}1${'}'.repeat(recipe.n)}}}]}`;
    case 'raw':
      return recipe.text;
    case 'over-limit':
      return JSON.stringify({ model: 'mock/gpt', messages: [{ role: 'user', content: 'x'.repeat(maxBodyBytes * recipe.n) }] });
  }
}
