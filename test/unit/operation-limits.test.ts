import { getIntrospectionQuery, parse, validate, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationLimitsRule, type OperationLimitsOptions } from '../../src/plugins/use-operation-limits.js';
import { buildSchema } from '../../src/schema/build-schema.js';

const schema = buildSchema();

const DEFAULTS: OperationLimitsOptions = {
  maxDepth: 12,
  maxCost: 1_000,
  costPerModelCall: 50,
  modelCallFields: new Set(['chat', 'chatStream']),
};

/** Validates `document` against the real schema with only the limits rule. */
function check(document: string, options: Partial<OperationLimitsOptions> = {}): readonly GraphQLError[] {
  return validate(schema, parse(document), [operationLimitsRule({ ...DEFAULTS, ...options })]);
}

function limitErrors(document: string, options: Partial<OperationLimitsOptions> = {}) {
  return check(document, options).map((error) => ({ limit: error.extensions.limit, code: error.extensions.code, message: error.message }));
}

/** The smallest maxCost the operation passes with (its cost), found by asking the rule. */
function costOf(document: string, options: Partial<OperationLimitsOptions> = {}): number {
  const error = check(document, { ...options, maxCost: 1 }).find((entry) => entry.extensions.limit === 'maxCost');
  const match = error?.message.match(/costs (\d+)/);
  return match ? Number(match[1]) : 1;
}

const CHAT_INPUT = '(input: { model: "local/echo", messages: [{ role: USER, content: "hi" }] })';

/** Depth 4: providers > models > pricing > input. */
const DEPTH_4 = '{ providers { models { pricing { input } } } }';

describe('operationLimitsRule: depth', () => {
  it('accepts an operation at the limit', () => {
    expect(check(DEPTH_4, { maxDepth: 4 })).toEqual([]);
  });

  it('refuses an operation over the limit with BAD_USER_INPUT', () => {
    const errors = limitErrors(DEPTH_4, { maxDepth: 3 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxDepth' });
    expect(errors[0]?.message).toContain('4 levels');
    expect(errors[0]?.message).toContain('3');
  });

  it('counts the depth through named fragments', () => {
    const document = `
      { providers { ...P } }
      fragment P on Provider { models { ...M } }
      fragment M on Model { pricing { input } }`;
    expect(check(document, { maxDepth: 4 })).toEqual([]);
    expect(limitErrors(document, { maxDepth: 3 })[0]).toMatchObject({ limit: 'maxDepth' });
  });

  it('counts the depth through inline fragments without adding a level for them', () => {
    const document = '{ providers { ... on Provider { models { ... { pricing { ... on Pricing { input } } } } } } }';
    expect(check(document, { maxDepth: 4 })).toEqual([]);
    expect(limitErrors(document, { maxDepth: 3 })[0]).toMatchObject({ limit: 'maxDepth' });
  });

  it('takes the deepest branch', () => {
    const document = '{ routes { id } providers { id models { pricing { output } } } }';
    expect(limitErrors(document, { maxDepth: 3 })[0]?.message).toContain('4 levels');
  });

  it('takes the deepest of several uses of a fragment at different depths', () => {
    const document = `
      { models { ...M } providers { models { ...M } } }
      fragment M on Model { pricing { input } }`;
    expect(limitErrors(document, { maxDepth: 3 })[0]?.message).toContain('4 levels');
  });

  it('does not hang or crash on cyclic fragments', () => {
    const document = `
      { models { ...A } }
      fragment A on Model { id ...B }
      fragment B on Model { provider ...A }`;
    const started = performance.now();
    expect(() => check(document)).not.toThrow();
    expect(() => check(document, { maxDepth: 1, maxCost: 1 })).not.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('ignores a spread of an undefined fragment', () => {
    expect(() => check('{ models { ...Missing } }')).not.toThrow();
  });
});

describe('operationLimitsRule: cost', () => {
  it('costs 1 per field', () => {
    expect(costOf('{ models { id provider } }')).toBe(3);
    expect(costOf('{ models { id } routes { id targets { model weight } } }')).toBe(7);
  });

  it('costs costPerModelCall for chat at the root', () => {
    const document = `mutation { chat${CHAT_INPUT} { id } }`;
    expect(costOf(document)).toBe(51);
    expect(check(document, { maxCost: 51 })).toEqual([]);
    expect(limitErrors(document, { maxCost: 50 })[0]).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxCost' });
    expect(costOf(document, { costPerModelCall: 200 })).toBe(201);
  });

  it('costs costPerModelCall for chatStream at the root', () => {
    expect(costOf(`subscription { chatStream${CHAT_INPUT} { delta done } }`)).toBe(52);
  });

  it('costs costPerModelCall for chat spread in from a fragment on Mutation', () => {
    const document = `
      mutation { ...Calls }
      fragment Calls on Mutation { chat${CHAT_INPUT} { id } ... on Mutation { again: chat${CHAT_INPUT} { id } } }`;
    expect(costOf(document)).toBe(102);
  });

  it('refuses 25 aliased chat calls (25 × 50 > 1000)', () => {
    const aliases = Array.from({ length: 25 }, (_, index) => `c${index}: chat${CHAT_INPUT} { id }`).join('\n');
    const errors = limitErrors(`mutation { ${aliases} }`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxCost' });
    expect(errors[0]?.message).toContain('costs 1275');
  });

  it('accepts 19 aliased chat calls (19 × 51 ≤ 1000)', () => {
    const aliases = Array.from({ length: 19 }, (_, index) => `c${index}: chat${CHAT_INPUT} { id }`).join('\n');
    expect(check(`mutation { ${aliases} }`)).toEqual([]);
  });

  it('computes a fragment bomb quickly and refuses it', () => {
    // F0 has 1 field; F(n) spreads F(n-1) ten times: F8 expands to 10^8 fields.
    const levels = 8;
    const fragments = ['fragment F0 on Model { id }'];
    for (let level = 1; level <= levels; level++) {
      fragments.push(`fragment F${level} on Model { ${Array.from({ length: 10 }, () => `...F${level - 1}`).join(' ')} }`);
    }
    const document = `{ models { ...F${levels} } }\n${fragments.join('\n')}`;
    const started = performance.now();
    const errors = limitErrors(document);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(100);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxCost' });
    expect(errors[0]?.message).toContain(`costs ${10 ** levels + 1}`);
  });

  it('reports depth and cost together when both are over', () => {
    const errors = limitErrors(DEPTH_4, { maxDepth: 2, maxCost: 2 });
    expect(errors.map((error) => error.limit).sort()).toEqual(['maxCost', 'maxDepth']);
  });

  it('checks each operation of a document on its own', () => {
    const document = 'query A { models { id } } query B { providers { models { pricing { input } } } }';
    const errors = limitErrors(document, { maxDepth: 3 });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('4 levels');
  });
});

describe('operationLimitsRule: introspection', () => {
  const STANDARD = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });

  it('does not count __schema/__type against maxDepth and maxCost', () => {
    expect(check(STANDARD, { maxDepth: 2, maxCost: 5 })).toEqual([]);
  });

  it('bounds introspection on its own', () => {
    expect(limitErrors(STANDARD, { maxIntrospectionDepth: 14 }).map((error) => error.limit)).toEqual(['maxIntrospectionDepth']);
    expect(limitErrors(STANDARD, { maxIntrospectionCost: 229 }).map((error) => error.limit)).toEqual(['maxIntrospectionCost']);
  });

  it('still counts the rest of the operation', () => {
    expect(limitErrors(`{ __schema { queryType { name } } ${DEPTH_4.slice(1, -1)} }`, { maxDepth: 3 }).map((error) => error.limit)).toEqual(['maxDepth']);
  });
});
