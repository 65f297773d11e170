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

/** Adds the `JSON` scalar (tool parameter schemas, response schemas) and `DateTime`. */
export function addScalars(builder: Builder): void {
  builder.scalarType('DateTime', {
    description: 'An ISO-8601 timestamp in UTC, e.g. "2026-11-24T10:00:00.000Z".',
    serialize: (value) => value,
    parseValue: (value) => {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw new GraphQLError('DateTime expects an ISO-8601 string.', { extensions: { code: 'BAD_USER_INPUT' } });
      }
      return value;
    },
  });
  builder.scalarType('JSON', {
    description: 'Any JSON value. Used for JSON Schemas of tool parameters and structured responses.',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (node, variables) => literalToValue(node, variables),
  });
}
