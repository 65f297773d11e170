import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecutionArgs, FieldNode, FragmentDefinitionNode, GraphQLError, GraphQLField, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, SelectionSetNode } from 'graphql';
import type { ExecutionContext } from '@graphql-tools/executor';

/** graphql-tools' response path (`{ prev, key, typename }`). */
export interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
  readonly typename: string | undefined;
}

type FieldMap = Map<string, FieldNode[]>;

/** The part of `@graphql-tools/utils` the compiled path shares with the executor. */
export interface ExecutorUtils {
  collectFields(schema: GraphQLSchema, fragments: Record<string, FragmentDefinitionNode>, variableValues: unknown, type: GraphQLObjectType, selectionSet: SelectionSetNode): { fields: FieldMap; patches: unknown[] };
  collectSubFields(schema: GraphQLSchema, fragments: Record<string, FragmentDefinitionNode>, variableValues: unknown, type: GraphQLObjectType, fieldNodes: FieldNode[]): { fields: FieldMap; patches: unknown[] };
  getArgumentValues(def: GraphQLField<unknown, unknown>, node: FieldNode, coerced: unknown, sources: unknown): Record<string, unknown>;
  addPath(prev: Path | undefined, key: string | number, typename: string | undefined): Path;
  pathToArray(path: Path | undefined): Array<string | number>;
  locatedError(error: Error, nodes: readonly FieldNode[], path: ReadonlyArray<string | number>): GraphQLError;
  createGraphQLError(message: string, options?: object): GraphQLError;
  inspect(value: unknown): string;
  isAsyncIterable(value: unknown): value is AsyncIterable<unknown>;
  isIterableObject(value: unknown): value is Iterable<unknown>;
  isObjectLike(value: unknown): value is Record<string, unknown>;
  isPromise(value: unknown): value is PromiseLike<unknown>;
}

/** The part of `@graphql-tools/executor` the compiled path uses (and falls back to). */
export interface Executor {
  buildExecutionContext(args: ExecutionArgs): ReadonlyArray<GraphQLError> | ExecutionContext;
  buildResolveInfo(exeContext: ExecutionContext, fieldDef: GraphQLField<unknown, unknown>, fieldNodes: FieldNode[], parentType: GraphQLObjectType, path: Path): GraphQLResolveInfo;
  execute(args: ExecutionArgs): unknown;
  /** Yoga's engine for execute and subscribe. */
  normalizedExecutor(args: ExecutionArgs): unknown;
}

/** The ESM entry of `name` as resolved from the package whose manifest is `from`. */
function entryOf(from: string, name: string): { manifest: string; url: string } {
  const manifest = createRequire(from).resolve(`${name}/package.json`);
  return { manifest, url: pathToFileURL(join(dirname(manifest), 'esm', 'index.js')).href };
}

/**
 * The very copies Yoga runs: `@graphql-tools/executor` as graphql-yoga resolves it, and the
 * `@graphql-tools/utils` that executor resolves (today 12.x under the executor, 11.x at the top).
 * Field collection, argument coercion, error locating and messages must be exactly the engine's.
 */
async function loadEngine(): Promise<{ executor: Executor; utils: ExecutorUtils }> {
  const yoga = createRequire(import.meta.url).resolve('graphql-yoga/package.json');
  const executor = entryOf(yoga, '@graphql-tools/executor');
  const utils = entryOf(executor.manifest, '@graphql-tools/utils');
  return { executor: (await import(executor.url)) as Executor, utils: (await import(utils.url)) as ExecutorUtils };
}

const engine = await loadEngine();
/** Yoga's executor (the engine the compiled path mirrors and falls back to). */
export const executor: Executor = engine.executor;
/** The executor's own `@graphql-tools/utils`. */
export const utils: ExecutorUtils = engine.utils;
