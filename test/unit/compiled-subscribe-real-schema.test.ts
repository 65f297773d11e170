import fc from 'fast-check';
import { parse, validate, type ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createPrincipal } from '../../src/auth/principal.js';
import { buildSchema } from '../../src/schema/build-schema.js';
import { createCallRegistry } from '../../src/services/call-registry.js';
import { runBoth } from './compiled-subscribe-harness.js';

/**
 * The compiled per-event path against graphql-tools' executor (what Yoga runs) on the gateway's own
 * schema: random chatStream selection sets over random events (well-formed and not).
 */
const schema = buildSchema();

const LEAVES = {
  ChatStreamEvent: ['id', 'model', 'provider', 'reasoningDelta', 'delta', 'finishReason', 'reasoningSignature', 'cached', 'done'],
  Usage: ['promptTokens', 'completionTokens', 'totalTokens', 'reasoningTokens', 'cachedPromptTokens', 'costUsd', 'estimated'],
  ToolCallDelta: ['index', 'id', 'name', 'argumentsDelta'],
  Attempt: ['model', 'provider', 'outcome', 'latencyMs', 'errorCode'],
} as const;
const OBJECTS = { ChatStreamEvent: { usage: 'Usage', toolCallDeltas: 'ToolCallDelta', attempts: 'Attempt' } } as const;
type TypeName = keyof typeof LEAVES;

let aliasCounter = 0;
/** A selection set on `type`: fields (some aliased), __typename, inline fragments, @include/@skip (literal or $flag). */
function selection(type: TypeName, depth: number): fc.Arbitrary<string> {
  const leaf = fc.constantFrom<string>(...LEAVES[type], '__typename').map((name) => ({ name, body: '' }));
  const objects = Object.entries((OBJECTS as Record<string, Record<string, TypeName>>)[type] ?? {});
  const field: fc.Arbitrary<{ name: string; body: string }> =
    depth > 0 && objects.length > 0
      ? fc.oneof(leaf, fc.constantFrom(...objects).chain(([name, child]) => selection(child, depth - 1).map((inner) => ({ name, body: ` { ${inner} }` }))))
      : leaf;
  const directive = fc.constantFrom('', '', ' @include(if: $flag)', ' @skip(if: $flag)', ' @skip(if: false)', ' @include(if: true)', ' @skip(if: true)');
  const item = fc.tuple(field, fc.boolean(), directive, fc.constantFrom('plain', 'plain', 'inline', 'typed')).map(([{ name, body }, alias, dir, wrap]) => {
    // Aliases are unique, so merged fields never conflict.
    const aliased = `${alias ? `a${aliasCounter++}: ` : ''}${name}`;
    if (wrap === 'inline') return `...${dir} { ${aliased}${body} }`;
    if (wrap === 'typed') return `... on ${type}${dir} { ${aliased}${body} }`;
    return `${aliased}${dir}${body}`;
  });
  return fc.array(item, { minLength: 1, maxLength: 6 }).map((items) => items.join(' '));
}

const usage = fc.record({
  promptTokens: fc.oneof(fc.nat(1000), fc.constant(null), fc.constant('12'), fc.constant(1.5)),
  completionTokens: fc.nat(1000),
  totalTokens: fc.oneof(fc.nat(1000), fc.constant(undefined)),
  reasoningTokens: fc.oneof(fc.nat(1000), fc.constant(undefined), fc.constant(null)),
  cachedPromptTokens: fc.oneof(fc.nat(1000), fc.constant(-1), fc.constant('3')),
  costUsd: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.constant(Number.NaN)),
  estimated: fc.oneof(fc.boolean(), fc.constant(null)),
});
const toolCallDelta = fc.record({ index: fc.oneof(fc.nat(4), fc.constant(null)), id: fc.option(fc.string()), name: fc.option(fc.string()), argumentsDelta: fc.option(fc.string()) });
const attempt = fc.record({
  model: fc.string(),
  provider: fc.string(),
  outcome: fc.constantFrom('success', 'failed', 'timed_out', 'skipped', 'bogus'),
  latencyMs: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
  errorCode: fc.option(fc.string()),
});
/** Events as the chat service yields them, and some it never should (nulls in non-null fields, wrong types). */
const event = fc.record({
  id: fc.oneof(fc.string(), fc.nat(), fc.constant(null)),
  model: fc.string(),
  provider: fc.oneof(fc.string(), fc.constant(undefined)),
  reasoningDelta: fc.option(fc.string()),
  delta: fc.option(fc.string()),
  reasoningSignature: fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined)),
  toolCallDeltas: fc.oneof(fc.constant(null), fc.array(toolCallDelta, { maxLength: 3 }), fc.constant('not a list'), fc.array(fc.constant(null), { maxLength: 2 })),
  finishReason: fc.oneof(fc.constant(null), fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'other', 'STOP')),
  usage: fc.option(usage),
  attempts: fc.option(fc.array(attempt, { maxLength: 2 })),
  cached: fc.option(fc.boolean()),
  done: fc.oneof(fc.boolean(), fc.constant(null)),
});

function contextFor(events: unknown[]) {
  return {
    principal: createPrincipal({ kind: 'anonymous', keyId: 'anonymous', scopes: new Set(['chat']), models: [], limits: {} as never }),
    calls: createCallRegistry(),
    requestId: 'r1',
    chat: {
      async *stream() {
        for (const each of events) yield each;
      },
    },
  };
}

describe('compiled chatStream events (gateway schema)', () => {
  it('answers exactly as graphql-tools for random selections and events', async () => {
    await fc.assert(
      fc.asyncProperty(selection('ChatStreamEvent', 2), fc.boolean(), fc.boolean(), fc.array(event, { minLength: 1, maxLength: 4 }), async (inner, alias, flag, events) => {
        const flagVariable = inner.includes('$flag') ? ', $flag: Boolean!' : '';
        const query = `subscription S($input: ChatInput!${flagVariable}) { ${alias ? 'stream: ' : ''}chatStream(input: $input) { ${inner} } }`;
        const document = parse(query);
        expect(validate(schema, document)).toEqual([]);
        const args: ExecutionArgs = {
          schema,
          document,
          variableValues: { input: { model: 'local/echo', messages: [{ role: 'USER', content: 'hi' }] }, flag },
          operationName: 'S',
        };
        const { compiled, reference, fallbacks } = await runBoth(args, () => contextFor(events));
        expect(compiled).toStrictEqual(reference);
        expect(fallbacks).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('compiles the README selection with inline arguments, fragments and a shared plan', async () => {
    const query = `subscription Stream {
      chatStream(input: { model: "local/lorem", maxTokens: 40, messages: [{ role: USER, content: "Write something" }] }) {
        ...Parts delta done finishReason usage { totalTokens }
      }
    }
    fragment Parts on ChatStreamEvent { id __typename toolCallDeltas { index name argumentsDelta } }`;
    const events = [
      { id: 'c1', model: 'm', provider: 'p', delta: 'Hel', toolCallDeltas: null, finishReason: null, usage: null, attempts: null, cached: null, done: false },
      { id: 'c1', model: 'm', provider: 'p', delta: null, toolCallDeltas: [{ index: 0, id: 'x', name: 'f', argumentsDelta: '{' }], finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, costUsd: null, estimated: false }, attempts: [], cached: false, done: true },
    ];
    const args: ExecutionArgs = { schema, document: parse(query) };
    for (let round = 0; round < 2; round++) {
      const { compiled, reference, fallbacks } = await runBoth(args, () => contextFor(events));
      expect(compiled).toStrictEqual(reference);
      expect(fallbacks).toBe(0);
      expect(compiled).toHaveLength(2);
    }
  });

  it('leaves bad variables, and unauthorised callers to the executor, with the same answer', async () => {
    const document = parse('subscription S($input: ChatInput!) { chatStream(input: $input) { delta } }');
    const bad = await runBoth({ schema, document, variableValues: { input: { model: 1 } } }, () => contextFor([]));
    expect(bad.compiled).toStrictEqual(bad.reference);
    expect(bad.fallbacks).toBe(1);
    const forbidden = await runBoth({ schema, document, variableValues: { input: { model: 'm', messages: [] } } }, () => ({ ...contextFor([]), principal: createPrincipal({ kind: 'key', keyId: 'k', scopes: new Set(), models: [], limits: {} as never }) }));
    expect(forbidden.compiled).toStrictEqual(forbidden.reference);
    expect(forbidden.fallbacks).toBe(0);
  });
});
