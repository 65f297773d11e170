import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { Builder } from './builder.js';

function literalToValue(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalToValue(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalToValue(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      throw new GraphQLError(`JSON cannot represent a ${node.kind} literal.`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** Adds the `JSON` scalar (tool parameter schemas, response schemas). */
export function addScalars(builder: Builder): void {
  builder.scalarType('JSON', {
    description: 'Any JSON value. Used for JSON Schemas of tool parameters and structured responses.',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (node, variables) => literalToValue(node, variables),
  });
}
