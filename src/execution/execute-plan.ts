import { GraphQLError, isLeafType, isListType, isNonNullType, type GraphQLOutputType } from 'graphql';
import type { ExecutionContext } from '@graphql-tools/executor';
import { executor, utils, type Path } from './executor-utils.js';

const { buildResolveInfo } = executor;
const { addPath, inspect, isIterableObject, isObjectLike, isPromise, locatedError, pathToArray } = utils;
import type { FieldPlan, ObjectPlan } from './selection-plan.js';

/** A resolver answered with a promise: this event is executed by graphql-tools instead. */
export class NeedsAsync extends Error {}

type Data = Record<string, unknown>;

/** What one event's execution shares: the executor's context for this payload, and its error list. */
interface EventState {
  readonly exeContext: ExecutionContext;
  readonly errors: GraphQLError[];
}

/** The executor's `coerceError`: anything thrown becomes an Error. */
function coerceError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    const coerced = new Error(error.message, 'cause' in error ? { cause: error.cause } : undefined);
    if ('stack' in error && typeof error.stack === 'string') coerced.stack = error.stack;
    if ('name' in error && typeof error.name === 'string') coerced.name = error.name;
    return coerced;
  }
  return new Error(String(error));
}

function handleFieldError(error: GraphQLError, returnType: GraphQLOutputType, state: EventState): null {
  if (isNonNullType(returnType) || error.extensions?.CRITICAL_ERROR) throw error;
  state.errors.push(error);
  return null;
}

/** A raw error thrown under `plan`, located and then either recorded (nullable) or rethrown (non-null). */
function fieldError(raw: unknown, plan: FieldPlan, returnType: GraphQLOutputType, path: Path, state: EventState): null {
  if (raw instanceof NeedsAsync) throw raw;
  if (raw instanceof AggregateError) {
    let result: null = null;
    for (const item of raw.errors) result = handleFieldError(locatedError(coerceError(item), plan.fieldNodes, pathToArray(path)), returnType, state);
    return result;
  }
  return handleFieldError(locatedError(coerceError(raw), plan.fieldNodes, pathToArray(path)), returnType, state);
}

function bail(value: unknown): never {
  // Its outcome is the fallback's business; never an unhandled rejection.
  (value as Promise<unknown>).then(undefined, () => undefined);
  throw new NeedsAsync();
}

function resolveField(plan: FieldPlan, source: unknown, path: Path, state: EventState): unknown {
  if (plan.typename) return plan.parentType.name;
  const { exeContext } = state;
  if (plan.resolve === undefined) {
    // graphql's default resolver, inlined: a property, or a method called with (args, context, info).
    if (!isObjectLike(source) && typeof source !== 'function') return undefined;
    const property = (source as Data)[plan.fieldDef.name];
    if (typeof property !== 'function') return property;
    const info = buildResolveInfo(exeContext, plan.fieldDef, plan.fieldNodes, plan.parentType, path);
    return (source as Record<string, (...args: unknown[]) => unknown>)[plan.fieldDef.name]!(plan.args, exeContext.contextValue, info);
  }
  const info = buildResolveInfo(exeContext, plan.fieldDef, plan.fieldNodes, plan.parentType, path);
  return plan.resolve(source, plan.args, exeContext.contextValue, info);
}

function executeField(plan: FieldPlan, source: unknown, path: Path, state: EventState): unknown {
  try {
    const result = resolveField(plan, source, path, state);
    if (isPromise(result)) bail(result);
    return completeValue(plan, plan.returnType, path, result, state);
  } catch (raw: unknown) {
    return fieldError(raw, plan, plan.returnType, path, state);
  }
}

/** graphql-tools' `executeFields`, synchronous: a null-prototype object in selection order. */
export function executeObject(object: ObjectPlan, source: unknown, path: Path | undefined, state: EventState): Data {
  const results = Object.create(null) as Data;
  for (const field of object.fields) {
    results[field.responseName] = executeField(field, source, addPath(path, field.responseName, object.type.name), state);
  }
  return results;
}

function completeLeaf(returnType: GraphQLOutputType & { serialize(value: unknown): unknown }, result: unknown): unknown {
  let serialized: unknown;
  try {
    serialized = returnType.serialize(result);
  } catch (error: unknown) {
    // The executor turns a GraphQLError from serialize into a plain Error (so it is located here).
    if (error instanceof GraphQLError) throw new Error(error.message);
    throw error;
  }
  if (serialized == null) {
    throw new Error(`Expected \`${inspect(returnType)}.serialize(${inspect(result)})\` to return non-nullable value, returned: ${inspect(serialized)}`);
  }
  return serialized;
}

function completeList(plan: FieldPlan, itemType: GraphQLOutputType, path: Path, result: unknown, state: EventState): unknown[] {
  if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) throw new NeedsAsync();
  if (!isIterableObject(result)) {
    throw new GraphQLError(`Expected Iterable, but did not find one for field "${plan.parentType.name}.${plan.fieldDef.name}".`);
  }
  const completed: unknown[] = [];
  let index = 0;
  for (const item of result as Iterable<unknown>) {
    const itemPath = addPath(path, index, undefined);
    try {
      if (isPromise(item)) bail(item);
      completed.push(completeValue(plan, itemType, itemPath, item, state));
    } catch (raw: unknown) {
      completed.push(fieldError(raw, plan, itemType, itemPath, state));
    }
    index++;
  }
  return completed;
}

/** graphql-tools' `completeValue` for object, list and leaf types (abstract types are never planned). */
function completeValue(plan: FieldPlan, returnType: GraphQLOutputType, path: Path, result: unknown, state: EventState): unknown {
  if (result instanceof Error) throw result;
  if (isNonNullType(returnType)) {
    const completed = completeValue(plan, returnType.ofType, path, result, state);
    if (completed === null) throw new Error(`Cannot return null for non-nullable field ${plan.parentType.name}.${plan.fieldDef.name}.`);
    return completed;
  }
  if (result == null) return null;
  if (isListType(returnType)) return completeList(plan, returnType.ofType, path, result, state);
  if (isLeafType(returnType)) return completeLeaf(returnType, result);
  const object = plan.object as ObjectPlan;
  const { isTypeOf } = object.type;
  if (isTypeOf) {
    const info = buildResolveInfo(state.exeContext, plan.fieldDef, plan.fieldNodes, plan.parentType, path);
    const matches = isTypeOf(result, state.exeContext.contextValue, info);
    if (isPromise(matches)) bail(matches);
    if (!matches) throw new GraphQLError(`Expected value of type "${object.type.name}" but got: ${inspect(result)}.`, { nodes: plan.fieldNodes });
  }
  return executeObject(object, result, path, state);
}

/**
 * Executes one subscription event against its compiled plan, synchronously, with the
 * executor's result shape: `{ data }`, or `{ errors, data }`. Throws NeedsAsync when a
 * resolver returns a promise (the caller then runs graphql-tools for this event).
 */
export function executeEvent(root: ObjectPlan, exeContext: ExecutionContext, payload: unknown): { data: Data | null; errors?: GraphQLError[] } {
  const state: EventState = { exeContext: { ...exeContext, rootValue: payload, errors: [] }, errors: [] };
  let data: Data | null;
  try {
    data = executeObject(root, payload, undefined, state);
  } catch (error: unknown) {
    if (error instanceof NeedsAsync) throw error;
    const many = (error as { errors?: GraphQLError[] }).errors;
    if (many) state.errors.push(...many);
    else state.errors.push(error as GraphQLError);
    data = null;
  }
  return state.errors.length === 0 ? { data } : { errors: state.errors, data };
}
