import {
  BREAK,
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  TypeNameMetaFieldDef,
  visit,
  type ASTNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
} from 'graphql';
import type { ExecutionContext } from '@graphql-tools/executor';
import { utils } from './executor-utils.js';

/** One field of a selection, resolved against the schema once. */
export interface FieldPlan {
  readonly responseName: string;
  readonly fieldDef: GraphQLField<unknown, unknown>;
  readonly fieldNodes: FieldNode[];
  readonly parentType: GraphQLObjectType;
  readonly returnType: GraphQLOutputType;
  /** The field's own resolver; undefined means graphql's default (a property read). */
  readonly resolve: GraphQLFieldResolver<unknown, unknown> | undefined;
  /** `__typename`: the parent type's name, with no resolver call. */
  readonly typename: boolean;
  /** Arguments coerced once (per subscription, or once for every subscription when they use no variable). */
  readonly args: Record<string, unknown>;
  /** The sub-selection when the named return type is an object type. */
  readonly object: ObjectPlan | undefined;
}

/** The fields selected on one object type, in response order. */
export interface ObjectPlan {
  readonly type: GraphQLObjectType;
  readonly fields: FieldPlan[];
}

/** Why a selection cannot be compiled: the caller falls back to graphql-tools' executor. */
export class NotCompilable extends Error {}

/** The NotCompilable message for arguments that do not coerce (they depend on the variables). */
export const ARGUMENT_ERROR = 'argument error';

/**
 * Plans the fields under `fieldNodes` (of `type`) exactly as graphql-tools' executor collects them
 * (same `collectSubFields`, same variable values), so fragments, aliases and @include/@skip
 * resolve the same way. Abstract types and @defer/@stream are not compiled.
 */
export function planObject(exeContext: ExecutionContext, type: GraphQLObjectType, fieldNodes: readonly FieldNode[]): ObjectPlan {
  const { fields, patches } = utils.collectSubFields(exeContext.schema, exeContext.fragments, exeContext.variableValues, type, fieldNodes as FieldNode[]);
  if (patches.length > 0) throw new NotCompilable('@defer');
  const planned: FieldPlan[] = [];
  for (const [responseName, nodes] of fields) {
    const first = nodes[0];
    if (!first) continue;
    const plan = planField(exeContext, type, responseName, nodes);
    if (plan) planned.push(plan);
  }
  return { type, fields: planned };
}

/** Plans one field (or nothing, for a field the type does not have: the executor skips those too). */
export function planField(exeContext: ExecutionContext, parentType: GraphQLObjectType, responseName: string, fieldNodes: FieldNode[]): FieldPlan | undefined {
  const first = fieldNodes[0] as FieldNode;
  const fieldName = first.name.value;
  // __schema/__type only exist on the query root, which is never planned here.
  const typename = fieldName === TypeNameMetaFieldDef.name;
  const fieldDef = typename ? TypeNameMetaFieldDef : parentType.getFields()[fieldName];
  if (!fieldDef) return undefined;
  const named = getNamedType(fieldDef.type);
  if (isAbstractType(named)) throw new NotCompilable(`abstract type ${named.name}`);
  const vars = exeContext.variableValues as unknown as { coerced: Record<string, unknown>; sources: Record<string, unknown> };
  let args: Record<string, unknown>;
  try {
    args = utils.getArgumentValues(fieldDef as GraphQLField<unknown, unknown>, first, vars.coerced, vars.sources);
  } catch {
    // The executor reports a bad argument per event; leave that to it.
    throw new NotCompilable(ARGUMENT_ERROR);
  }
  return {
    responseName,
    fieldDef: fieldDef as GraphQLField<unknown, unknown>,
    fieldNodes,
    parentType,
    returnType: fieldDef.type,
    resolve: typename ? undefined : (fieldDef.resolve as GraphQLFieldResolver<unknown, unknown> | undefined),
    typename,
    args,
    object: isObjectType(named) ? planObject(exeContext, named, fieldNodes) : undefined,
  };
}

function containsVariable(node: ASTNode | undefined): boolean {
  if (!node) return false;
  let found = false;
  visit(node, {
    Variable() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

/**
 * True when the operation's variables are used only in the arguments of its root fields: then the
 * plan below the root is the same for every subscription of this document and can be shared.
 */
export function planIsVariableFree(definitions: readonly ASTNode[], operation: OperationDefinitionNode): boolean {
  for (const definition of definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION && containsVariable(definition)) return false;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) {
      if (containsVariable(selection)) return false;
      continue;
    }
    if (selection.directives?.some(containsVariable) || containsVariable(selection.selectionSet)) return false;
  }
  return true;
}
