import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FieldNode, FragmentDefinitionNode, GraphQLError, GraphQLField, GraphQLObjectType, GraphQLSchema, SelectionSetNode } from 'graphql';

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

/**
 * The very copy of `@graphql-tools/utils` that `@graphql-tools/executor` (Yoga's engine) resolves:
 * it may differ from the top-level one (today 12.x under the executor, 11.x for Yoga), and field
 * collection, argument coercion and error locating must behave exactly as the executor's.
 */
async function loadExecutorUtils(): Promise<ExecutorUtils> {
  const require = createRequire(import.meta.url);
  const executorManifest = require.resolve('@graphql-tools/executor/package.json');
  const utilsManifest = createRequire(executorManifest).resolve('@graphql-tools/utils/package.json');
  const entry = join(dirname(utilsManifest), 'esm', 'index.js');
  return (await import(pathToFileURL(entry).href)) as ExecutorUtils;
}

export const utils: ExecutorUtils = await loadExecutorUtils();
