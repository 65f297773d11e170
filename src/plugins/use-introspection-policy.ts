import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** graphql-js's suggestion suffix on validation messages ("Did you mean "x" or "y"?"). */
const SUGGESTION = /\s*Did you mean .*\?$/s;

/** The error without schema hints: message without suggestions, same locations and extensions. */
function withoutSuggestion(error: GraphQLError): GraphQLError {
  const message = error.message.replace(SUGGESTION, '');
  if (message === error.message) return error;
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    extensions: error.extensions,
  });
}

/**
 * `server.introspection: false` (production): `__schema` and `__type` are refused during
 * validation (BAD_USER_INPUT, "GraphQL introspection has been disabled…"), and validation
 * messages lose their "Did you mean …?" hints, which would otherwise spell the schema out field
 * by field. `__typename` keeps working (clients need it). With introspection on, it does nothing:
 * authenticated callers see the hints, anonymous ones never reach validation.
 */
export function useIntrospectionPolicy(options: {
  /** Serve `__schema` / `__type`. @default true */
  enabled: boolean;
}): Plugin {
  if (options.enabled) return {};
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map((error) => (error instanceof GraphQLError ? withoutSuggestion(error) : error)));
      };
    },
  };
}
