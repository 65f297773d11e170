import { GraphQLError, parse, validate, visit, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Options for `useBoundedDocuments`. */
export interface BoundedDocumentsOptions {
  /** Most lexical tokens a document may have; the parser stops at the next one. @default 10_000 */
  maxTokens: number;
  /** Deepest nesting of list/object values, in argument literals and in variables. @default 64 */
  maxInputDepth: number;
}

/** A request-level refusal: HTTP 400, BAD_USER_INPUT, no stack, nothing logged. */
export function inputRefusal(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', limit, http: { status: 400 } } });
}

const TOO_DEEP = (limit: number) => `Input values are nested too deeply; this gateway allows ${limit} levels (server.maxInputDepth).`;
const TOKEN_LIMIT = /Document contains more th\w+ \d+ tokens/;

/** Deepest list/object nesting of argument and default-value literals; the visitor is iterative. */
function literalDepthOf(document: DocumentNode): number {
  let depth = 0;
  let deepest = 0;
  const enter = () => {
    depth++;
    if (depth > deepest) deepest = depth;
  };
  const leave = () => {
    depth--;
  };
  visit(document, { ListValue: { enter, leave }, ObjectValue: { enter, leave } });
  return deepest;
}

/** True when `value` nests lists/objects deeper than `limit`; iterative, stops at the first level past it. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value: current, depth } = item;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * Bounds every document before and while it is parsed, on every transport (they all parse
 * through the envelop pipeline):
 * - graphql-js's parser with `maxTokens`, so an oversized document costs a lexer pass over at
 *   most `maxTokens` tokens, never a full parse;
 * - argument literals and variables nested deeper than `maxInputDepth` are refused before any
 *   coercion or resolver can recurse through them;
 * - a stack overflow (RangeError) inside parse or validation is the caller's deep input, so it
 *   is answered BAD_USER_INPUT rather than masked as an internal error and logged.
 */
export function useBoundedDocuments(options: BoundedDocumentsOptions): Plugin {
  const { maxTokens, maxInputDepth } = options;

  function boundedParse(source: Parameters<typeof parse>[0], parseOptions?: Parameters<typeof parse>[1]): DocumentNode {
    let document: DocumentNode;
    try {
      document = parse(source, { ...parseOptions, maxTokens });
    } catch (error: unknown) {
      if (error instanceof RangeError) throw inputRefusal('The document is nested too deeply to parse.', 'maxInputDepth');
      if (error instanceof GraphQLError && TOKEN_LIMIT.test(error.message)) {
        throw inputRefusal(`The document has more than ${maxTokens} tokens; this gateway allows ${maxTokens} (server.maxTokens).`, 'maxTokens');
      }
      throw error;
    }
    if (literalDepthOf(document) > maxInputDepth) throw inputRefusal(TOO_DEEP(maxInputDepth), 'maxInputDepth');
    return document;
  }

  const guardedValidate: typeof validate = (...args) => {
    try {
      return validate(...args);
    } catch (error: unknown) {
      if (error instanceof RangeError) return [inputRefusal('The document is nested too deeply to validate.', 'maxDepth')];
      throw error;
    }
  };

  /** Variables are JSON from the caller: bounded before graphql-js coerces them (recursively). */
  function variablesRefusal(variables: unknown): ExecutionResult | undefined {
    if (!nestsDeeperThan(variables, maxInputDepth + 1)) return undefined;
    return { errors: [inputRefusal(TOO_DEEP(maxInputDepth), 'maxInputDepth')] };
  }

  return {
    // Over HTTP through Yoga, before any other plugin reads the variables (the response cache hashes them recursively).
    onParams({ params }) {
      const refusal = variablesRefusal(params.variables);
      if (refusal) throw refusal.errors?.[0];
    },
    onParse({ setParseFn }) {
      setParseFn(boundedParse);
    },
    onValidate({ setValidationFn }) {
      setValidationFn(guardedValidate);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = variablesRefusal(args.variableValues);
      if (refusal) setResultAndStopExecution(refusal);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = variablesRefusal(args.variableValues);
      if (refusal) setResultAndStopExecution(refusal);
    },
  };
}
