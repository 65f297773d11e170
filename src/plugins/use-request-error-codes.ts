import type { Plugin } from 'graphql-yoga';
import { markParseError, markRequestErrors } from '../errors/mask-gateway-error.js';

/**
 * Gives request-level errors (syntax, validation, variable coercion) the stable
 * BAD_USER_INPUT code; Yoga would leave them with none or its own codes. Runs on
 * every transport's parse, and on HTTP results.
 */
export function useRequestErrorCodes(): Plugin {
  return {
    // Every transport parses through here, so a cached syntax error always carries its HTTP status.
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) markParseError(result);
      };
    },
    onResultProcess({ result }) {
      if (Array.isArray(result)) result.forEach(markRequestErrors);
      else if (!(Symbol.asyncIterator in (result as object))) markRequestErrors(result);
    },
  };
}
