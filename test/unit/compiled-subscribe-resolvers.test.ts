import fc from 'fast-check';
import { GraphQLBoolean, GraphQLError, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { runBoth } from './compiled-subscribe-harness.js';

/**
 * Resolvers that are not property reads: ones that use arguments, throw (Errors, GraphQLErrors with
 * codes, AggregateErrors, non-Errors), break non-null, answer with promises, are methods, or
 * a type with isTypeOf. The compiled path must answer as graphql-tools' executor does.
 */
const Item: GraphQLObjectType = new GraphQLObjectType({
  name: 'Item',
  isTypeOf: (value) => typeof value === 'object' && value !== null && (value as { kind?: string }).kind !== 'alien',
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLString) },
    label: { type: GraphQLString, args: { upper: { type: GraphQLBoolean, defaultValue: false } }, resolve: (item: { id: string }, args: { upper: boolean }) => (args.upper ? item.id.toUpperCase() : item.id) },
    coded: { type: GraphQLString, resolve: () => { throw new GraphQLError('Limited.', { extensions: { code: 'RATE_LIMITED' } }); } },
    boom: { type: new GraphQLNonNull(GraphQLString), resolve: () => { throw new Error('boom'); } },
    many: { type: GraphQLString, resolve: () => { throw new AggregateError([new Error('one'), 'two'], 'several'); } },
    odd: { type: GraphQLString, resolve: () => { throw { message: 'an object', name: 'Odd' }; } },
    text: { type: GraphQLString, resolve: () => { throw 'a string'; } },
    count: { type: GraphQLInt },
    method: { type: GraphQLString },
    later: { type: GraphQLString, resolve: async (item: { id: string }) => `later ${item.id}` },
    children: { type: new GraphQLList(new GraphQLNonNull(Item)) },
    loose: { type: new GraphQLList(Item) },
    returned: { type: GraphQLString, resolve: () => new Error('returned, not thrown') },
  }),
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      items: {
        type: Item,
        args: { prefix: { type: GraphQLString } },
        subscribe: async function* (_root: unknown, _args: unknown, context: { events: unknown[] }) {
          for (const each of context.events) {
            if (each === 'THROW') throw new Error('the source failed');
            yield each;
          }
        },
        // Each event's root resolver sees its own subscription's arguments.
        resolve: (event: unknown, args: { prefix?: string | null }) =>
          args.prefix && typeof event === 'object' && event !== null ? { ...event, id: `${args.prefix}${String((event as { id?: unknown }).id)}` } : event,
      },
      strict: { type: new GraphQLNonNull(Item), subscribe: async function* (_r: unknown, _a: unknown, context: { events: unknown[] }) { yield* context.events; }, resolve: (event: unknown) => event },
    },
  }),
});

const FIELDS = ['id', 'label', 'label(upper: true)', 'label(upper: $upper)', 'coded', 'boom', 'many', 'odd', 'text', 'count', 'method', 'returned', '__typename'];
function selection(depth: number): fc.Arbitrary<string> {
  const leaf = fc.constantFrom(...FIELDS).map((text) => ({ text, body: '' }));
  const nested = depth > 0 ? fc.tuple(fc.constantFrom('children', 'loose'), selection(depth - 1)).map(([text, inner]) => ({ text, body: ` { ${inner} }` })) : leaf;
  const directive = fc.constantFrom('', '', ' @include(if: $upper)', ' @skip(if: $upper)');
  let n = 0;
  return fc
    .array(fc.tuple(fc.oneof(leaf, leaf, nested), directive, fc.boolean()), { minLength: 1, maxLength: 5 })
    .map((items) => items.map(([{ text, body }, dir, fragment]) => {
      const line = `f${n++}: ${text}${dir}${body}`;
      return fragment ? `... on Item${dir} { ${line} } ...Both` : line;
    }).join(' '));
}

const leafValue = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(1.5), fc.constant(undefined));
function itemValue(depth: number): fc.Arbitrary<unknown> {
  const children = depth > 0 ? fc.oneof(fc.constant(null), fc.constant(7), fc.array(fc.oneof(itemValue(depth - 1), fc.constant(null)), { maxLength: 3 })) : fc.constant(null);
  return fc.record({
    kind: fc.constantFrom('item', 'item', 'item', 'alien'),
    id: fc.oneof(fc.string(), fc.constant(null)),
    count: leafValue,
    method: fc.oneof(leafValue, fc.constant('fn')),
    children,
    loose: children,
  }).map((value) => (value.method === 'fn' ? { ...value, method: (args: unknown) => `called with ${JSON.stringify(args)}` } : value));
}

describe('compiled subscription events (resolver semantics)', () => {
  it('answers exactly as graphql-tools, errors included', async () => {
    await fc.assert(
      fc.asyncProperty(selection(2), fc.boolean(), fc.constantFrom('items', 'strict'), fc.array(fc.oneof(itemValue(2), fc.constant(null), fc.constant('THROW')), { minLength: 1, maxLength: 3 }), async (inner, upper, root, events) => {
        const query = `subscription S($upper: Boolean!) { ${root} { ${inner} } } fragment Both on Item { id __typename }`;
        const document = parse(query);
        const problems = validate(schema, document);
        // Unused fragment / variable are the only ways the generator makes an invalid document.
        fc.pre(problems.length === 0);
        const { compiled, reference, fallbacks } = await runBoth({ schema, document, variableValues: { upper } }, () => ({ events }));
        expect(compiled).toStrictEqual(reference);
        expect(fallbacks).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('gives each subscription of one document its own root arguments', async () => {
    const document = parse('subscription S($prefix: String) { items(prefix: $prefix) { id } }');
    const events = [{ kind: 'item', id: 'a' }];
    for (const prefix of ['x-', 'y-', null]) {
      const { compiled, reference, fallbacks } = await runBoth({ schema, document, variableValues: { prefix } }, () => ({ events }));
      expect(compiled).toStrictEqual(reference);
      expect(fallbacks).toBe(0);
    }
  });

  it('runs an event whose resolver answers with a promise through the executor, with the same answer', async () => {
    const document = parse('subscription { items { id later } }');
    const events = [{ kind: 'item', id: 'a' }, { kind: 'item', id: 'b' }];
    const { compiled, reference } = await runBoth({ schema, document }, () => ({ events }));
    expect(compiled).toStrictEqual(reference);
    expect(compiled).toHaveLength(2);
  });
});
