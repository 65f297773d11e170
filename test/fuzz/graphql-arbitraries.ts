import fc from 'fast-check';

/*
 * Generated GraphQL requests as small "recipes" (a kind and its sizes) that build the text only
 * when sent: a 1 MB document costs fast-check nothing to generate, and a failing case prints short.
 */

const MODELS = ['mock/gpt', 'local/echo', 'local/lorem', 'local/embed', 'fast', 'nope/never', '', 'mock/*', '../../etc/passwd'];
const FIELD_NAMES = [
  'models', 'model', 'routes', 'providers', 'viewer', 'embedding', 'chat', 'chatStream', 'apiKeys', 'keyUsage', 'createApiKey',
  'id', 'provider', 'upstream', 'capabilities', 'pricing', 'input', 'output', 'health', 'state', 'targets', 'usage', 'requests',
  'message', 'content', 'delta', 'done', 'vector', 'dimensions', '__typename', '__schema', '__type', 'types', 'name', 'fields',
  '_service', 'sdl', '_entities', 'keyId', 'scopes', 'limits', 'nope', 'a',
];
const TOKENS = ['{', '}', '(', ')', '[', ']', ':', '!', '$', '@', '...', '=', '|', '&', 'query', 'mutation', 'subscription', 'fragment', 'on', 'models', 'id', 'chat', '"x"', '"""', '1', '1.5e308', 'true', 'null', '#', '\n', '\u0000', '\uFEFF', 'é', '🦄'];

/** A text worth putting in a string: unicode, control characters, long unbroken words. */
export const textArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '🦄'.repeat(10), 'Say hi', '{"a":1}', '<script>'),
  fc.record({ char: fc.constantFrom('x', 'é', '🦄', ' ', 'ab '), count: fc.integer({ min: 1, max: 120_000 }) }).map(({ char, count }) => char.repeat(count)),
);

/** A GraphQL string literal for any text (JSON escapes are GraphQL escapes, lone surrogates aside). */
const gqlString = (text: string) => JSON.stringify(text);

const selectionArb: fc.Arbitrary<string> = fc.letrec<{ selection: string }>((tie) => ({
  selection: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...FIELD_NAMES),
    fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.array(tie('selection'), { minLength: 1, maxLength: 5 }), fc.option(fc.constantFrom('a1', 'x', 'models', '__typename')), fc.option(fc.constantFrom('@include(if: true)', '@skip(if: false)', '@include(if: $v)', '@defer', '@stream', '@nope', '@skip'))).map(
      ([name, children, alias, directive]) => `${alias ? `${alias}: ` : ''}${name}${directive ? ` ${directive}` : ''} { ${children.join(' ')} }`,
    ),
    fc.tuple(fc.constantFrom('model', 'embedding', 'models'), fc.constantFrom(...MODELS), textArb).map(
      ([name, model, text]) => `${name}(id: ${gqlString(model)}, model: ${gqlString(model)}, input: ${gqlString(text)}) { id dimensions }`,
    ),
    fc.array(tie('selection'), { minLength: 1, maxLength: 4 }).map((children) => `... on Query { ${children.join(' ')} }`),
  ),
})).selection;

const chatField = (model: string, content: string, extra = '') =>
  `chat(input: { model: ${gqlString(model)}, messages: [{ role: USER, content: ${gqlString(content)} }]${extra} }) { id message { content } usage { totalTokens costUsd } }`;

/** A document recipe: what to build, with its sizes. */
export type DocumentRecipe =
  | { kind: 'selection'; operation: 'query' | 'mutation' | 'subscription'; selections: string[] }
  | { kind: 'chat'; model: string; content: string; aliases: number; stream: boolean }
  | { kind: 'chat-input'; stream: boolean }
  | { kind: 'deep-selection' | 'deep-list' | 'deep-object' | 'directives' | 'aliases' | 'fragments' | 'fragment-cycle' | 'variables' | 'token-flood' | 'over-limit'; n: number }
  | { kind: 'long-string'; char: string; n: number }
  | { kind: 'soup'; tokens: string[] }
  | { kind: 'text'; text: string }
  | { kind: 'truncated'; of: DocumentRecipe; at: number };

const size = (max: number) => fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max }));

const shapedArb: fc.Arbitrary<DocumentRecipe> = fc.oneof(
  fc.record({ kind: fc.constant('deep-selection' as const), n: size(20_000) }),
  fc.record({ kind: fc.constant('deep-list' as const), n: size(120_000) }),
  fc.record({ kind: fc.constant('deep-object' as const), n: size(60_000) }),
  fc.record({ kind: fc.constant('directives' as const), n: size(55_000) }),
  fc.record({ kind: fc.constant('aliases' as const), n: size(30_000) }),
  fc.record({ kind: fc.constant('fragments' as const), n: size(5_000) }),
  fc.record({ kind: fc.constant('fragment-cycle' as const), n: size(2_000) }),
  fc.record({ kind: fc.constant('variables' as const), n: size(20_000) }),
  fc.record({ kind: fc.constant('token-flood' as const), n: size(300_000) }),
  fc.record({ kind: fc.constant('over-limit' as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('long-string' as const), char: fc.constantFrom('x', 'é', '🦄', '\\u0041', '\\"'), n: size(250_000) }),
);

const plainArb: fc.Arbitrary<DocumentRecipe> = fc.oneof(
  fc.record({ kind: fc.constant('selection' as const), operation: fc.constantFrom('query' as const, 'mutation' as const, 'subscription' as const), selections: fc.array(selectionArb, { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('chat' as const), model: fc.constantFrom(...MODELS), content: textArb, aliases: fc.integer({ min: 1, max: 5 }), stream: fc.boolean() }),
  fc.record({ kind: fc.constant('chat-input' as const), stream: fc.boolean() }),
  fc.record({ kind: fc.constant('soup' as const), tokens: fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }) }),
  fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }),
);

/** Any document recipe: plain and shaped ones, and any of them cut short. */
export const documentArb: fc.Arbitrary<DocumentRecipe> = fc.oneof(
  { arbitrary: plainArb, weight: 4 },
  { arbitrary: shapedArb, weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('truncated' as const), of: fc.oneof(plainArb, shapedArb), at: fc.double({ min: 0, max: 1, noNaN: true }) }), weight: 1 },
);

const times = (n: number, each: (index: number) => string, separator = ' ') => Array.from({ length: n }, (_, index) => each(index)).join(separator);

/** The document text of a recipe. `maxBodyBytes` sizes the over-limit documents. */
export function documentText(recipe: DocumentRecipe, maxBodyBytes: number): string {
  switch (recipe.kind) {
    case 'selection':
      return `${recipe.operation} Fuzz($v: Boolean = true) { ${recipe.selections.join(' ')} }`;
    case 'chat': {
      const fields = times(recipe.aliases, (index) => `c${index}: ${recipe.stream ? chatField(recipe.model, recipe.content).replace(/^chat/, 'chatStream').replace(/\{ id message.*$/, '{ delta done }') : chatField(recipe.model, recipe.content)}`);
      return `${recipe.stream ? 'subscription' : 'mutation'} { ${fields} }`;
    }
    case 'chat-input':
      return recipe.stream
        ? 'subscription Fuzz($input: ChatInput!, $v: Boolean = true) { chatStream(input: $input) @include(if: $v) { delta done } }'
        : 'mutation Fuzz($input: ChatInput!, $v: Boolean = true) { chat(input: $input) @include(if: $v) { id message { content } } }';
    case 'deep-selection':
      return `{ models ${'{ id '.repeat(recipe.n)}${'}'.repeat(recipe.n + 1)}`;
    case 'deep-list':
      return `{ model(id: ${'['.repeat(recipe.n)}"x"${']'.repeat(recipe.n)}) { id } }`;
    case 'deep-object':
      return `mutation { ${chatField('local/echo', 'hi', `, tools: [{ name: "t", parameters: ${'{ a: '.repeat(recipe.n)}1${' }'.repeat(recipe.n)} }]`)} }`;
    case 'directives':
      return `{ models ${'@include(if: true) '.repeat(recipe.n)}{ id } }`;
    case 'aliases':
      return `{ ${times(recipe.n, (index) => `a${index}: __typename`)} }`;
    case 'fragments':
      return `{ ...F0 } ${times(recipe.n, (index) => `fragment F${index} on Query { ...F${index + 1} }`)} fragment F${recipe.n} on Query { __typename }`;
    case 'fragment-cycle':
      return `{ ...F0 } ${times(recipe.n, (index) => `fragment F${index} on Query { ...F${(index + 1) % recipe.n} }`)}`;
    case 'variables':
      return `query(${times(recipe.n, (index) => `$v${index}: Int`, ', ')}) { __typename }`;
    case 'token-flood':
      return `{ models { ${'id '.repeat(recipe.n)}} }`;
    case 'over-limit':
      return `{ __typename } #${'x'.repeat(maxBodyBytes * recipe.n)}`;
    case 'long-string':
      return `{ model(id: "${recipe.char.repeat(recipe.n)}") { id } }`;
    case 'soup':
      return recipe.tokens.join(' ');
    case 'text':
      return recipe.text;
    case 'truncated': {
      const whole = documentText(recipe.of, maxBodyBytes);
      return whole.slice(0, Math.floor(whole.length * recipe.at));
    }
  }
}

/** A variables recipe: absent, a fitting value, or hostile JSON text. */
export type VariablesRecipe =
  | { kind: 'none' }
  | { kind: 'value'; value: unknown }
  | { kind: 'deep-array' | 'deep-object' | 'huge-array' | 'wide-object' | 'deep-tool-parameters' | 'many-messages'; n: number }
  | { kind: 'chat-input'; model: string; content: string; role: string }
  | { kind: 'raw'; text: string };

export const variablesArb: fc.Arbitrary<VariablesRecipe> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('value' as const), value: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ v: fc.jsonValue({ maxDepth: 3 }), input: fc.jsonValue({ maxDepth: 4 }), id: fc.jsonValue({ maxDepth: 2 }) })) }), weight: 3 },
  fc.record({ kind: fc.constantFrom('deep-array' as const, 'deep-object' as const), n: size(150_000) }),
  fc.record({ kind: fc.constantFrom('huge-array' as const, 'wide-object' as const), n: size(120_000) }),
  { arbitrary: fc.record({ kind: fc.constant('chat-input' as const), model: fc.constantFrom(...MODELS), content: textArb, role: fc.constantFrom('USER', 'SYSTEM', 'ASSISTANT', 'TOOL', 'user', '') }), weight: 2 },
  fc.record({ kind: fc.constantFrom('deep-tool-parameters' as const, 'many-messages' as const), n: size(80_000) }),
  fc.record({ kind: fc.constant('raw' as const), text: fc.constantFrom('null', '[]', '"x"', '1', '{', '{"v": }', '{"__proto__": {"polluted": 1}}', '{"constructor": {"prototype": {"x": 1}}}') }),
);

/** The JSON text of a variables recipe (hand-built: a 100,000-level value would overflow JSON.stringify). */
export function variablesText(recipe: VariablesRecipe): string | undefined {
  switch (recipe.kind) {
    case 'none':
      return undefined;
    case 'value':
      return JSON.stringify(recipe.value);
    case 'deep-array':
      return `{"v": ${'['.repeat(recipe.n)}1${']'.repeat(recipe.n)}}`;
    case 'deep-object':
      return `{"input": ${'{"a":'.repeat(recipe.n)}1${'}'.repeat(recipe.n)}}`;
    case 'chat-input':
      return JSON.stringify({ input: { model: recipe.model, messages: [{ role: recipe.role, content: recipe.content }] } });
    case 'deep-tool-parameters':
      return `{"input": {"model": "mock/gpt", "messages": [{"role": "USER", "content": "hi"}], "tools": [{"name": "t", "parameters": ${'{"a":'.repeat(recipe.n)}1${'}'.repeat(recipe.n)}}]}}`;
    case 'many-messages':
      return `{"input": {"model": "local/echo", "messages": [${times(recipe.n, () => '{"role": "USER", "content": "hi"}', ',')}]}}`;
    case 'huge-array':
      return `{"v": [${times(recipe.n, () => '1', ',')}]}`;
    case 'wide-object':
      return `{${times(recipe.n, (index) => `"k${index}":${index}`, ',')}}`;
    case 'raw':
      return recipe.text;
  }
}

/** The JSON body of a GraphQL POST. */
export function graphqlBody(document: string, variables: string | undefined): string {
  return `{"query":${JSON.stringify(document)}${variables === undefined ? '' : `,"variables":${variables}`}}`;
}
