import { getOperationAST, visit, BREAK, type DocumentNode, type FieldNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { ExecutionContext } from '@graphql-tools/executor';
import { executor, utils } from './executor-utils.js';
import { executeEvent, NeedsAsync } from './execute-plan.js';
import { hostStreamHooks, runErrorHooks, runEventHooks } from './event-hooks.js';
import { ARGUMENT_ERROR, NotCompilable, planField, planIsVariableFree, type ObjectPlan } from './selection-plan.js';

const { buildExecutionContext, buildResolveInfo, execute } = executor;
const { addPath, collectFields, createGraphQLError, inspect, isAsyncIterable, isPromise, locatedError, pathToArray } = utils;

type SubscribeFn = (args: ExecutionArgs) => unknown;

/** What is known of one (schema, document, operation) once. */
interface CompiledOperation {
  /** False when the document asks for @defer/@stream: those events stay with graphql-tools. */
  readonly compilable: boolean;
  readonly shareablePlan: boolean;
  /** The shared plan, once built (only when shareablePlan). */
  plan?: ObjectPlan | null;
  /** Set when a resolver of this selection answered with a promise: its events go to graphql-tools. */
  async: boolean;
}

const compiled = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, CompiledOperation>>>();

function usesIncrementalDelivery(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'defer' && node.name.value !== 'stream') return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

function operationOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): CompiledOperation {
  let byDocument = compiled.get(schema);
  if (!byDocument) compiled.set(schema, (byDocument = new WeakMap()));
  let byName = byDocument.get(document);
  if (!byName) byDocument.set(document, (byName = new Map()));
  const key = operationName ?? '';
  let entry = byName.get(key);
  if (!entry) {
    const operation = getOperationAST(document, operationName);
    const compilable = operation?.operation === 'subscription' && !usesIncrementalDelivery(document);
    entry = { compilable, shareablePlan: compilable && planIsVariableFree(document.definitions, operation), async: false };
    byName.set(key, entry);
  }
  return entry;
}

/** The executor's wrapping of an error thrown by the source stream (mapSourceToResponse's onError). */
function sourceError(error: unknown, exeContext: ExecutionContext): Error {
  const wrap = (each: Error) => createGraphQLError(each.message, { originalError: each, nodes: [exeContext.operation] });
  if (error instanceof AggregateError) return new AggregateError(error.errors.map(wrap), error.message);
  return wrap(error as Error);
}

/**
 * The executor's "ResolveFieldEventStream" for the one root field, with its error locating; returns
 * the stream (or an error result) and the plan of each event (or null when not compilable).
 */
function openSourceStream(exeContext: ExecutionContext, entry: CompiledOperation): { stream: unknown; plan: ObjectPlan | null } | undefined {
  const { schema, fragments, operation, variableValues, rootValue, contextValue } = exeContext;
  const rootType = schema.getSubscriptionType();
  if (!rootType) return undefined;
  const { fields } = collectFields(schema, fragments, variableValues, rootType, operation.selectionSet);
  const first = fields.entries().next().value;
  if (fields.size !== 1 || !first) return undefined;
  const [responseName, fieldNodes] = first;
  let plan: ObjectPlan | null = entry.shareablePlan && entry.plan !== undefined ? entry.plan : null;
  if (!entry.shareablePlan || entry.plan === undefined) {
    try {
      const field = planField(exeContext, rootType, responseName, fieldNodes);
      plan = field ? { type: rootType, fields: [field] } : null;
    } catch (error: unknown) {
      if (!(error instanceof NotCompilable)) throw error;
      // A bad argument depends on this subscription's variables: the next one may compile.
      if (error.message === ARGUMENT_ERROR) return undefined;
      plan = null;
    }
    if (entry.shareablePlan) entry.plan = plan;
  }
  const field = plan?.fields[0];
  if (!field) return undefined;
  const path = addPath(undefined, responseName, rootType.name);
  const info = buildResolveInfo(exeContext, field.fieldDef, fieldNodes, rootType, path);
  const locate = (error: unknown) => locatedError(error as Error, fieldNodes, pathToArray(path));
  const checked = (result: unknown) => {
    if (result instanceof Error) throw result;
    if (!isAsyncIterable(result)) throw createGraphQLError(`Subscription field must return Async Iterable. Received: ${inspect(result)}.`);
    return result;
  };
  try {
    // Coerced once per subscription: the subscribe resolver and every event's root resolver get these.
    const vars = variableValues as unknown as { coerced: Record<string, unknown>; sources: Record<string, unknown> };
    const args = utils.getArgumentValues(field.fieldDef, fieldNodes[0] as FieldNode, vars.coerced, vars.sources);
    // A shared plan's root holds the first subscription's arguments; this one's are its own.
    const own: ObjectPlan = { type: rootType, fields: [{ ...field, args }] };
    const subscribe = field.fieldDef.subscribe ?? exeContext.subscribeFieldResolver;
    const result = subscribe(rootValue, args, contextValue, info);
    if (isPromise(result)) {
      const stream = result.then(checked).then(undefined, (error: unknown) => {
        throw locate(error);
      });
      return { stream: stream.then(undefined, (error: unknown) => ({ errors: [error] })), plan: own };
    }
    return { stream: checked(result), plan: own };
  } catch (error: unknown) {
    return { stream: { errors: [locate(error)] }, plan };
  }
}

const FINISHED = Object.freeze({ value: undefined, done: true } as const);

/**
 * The source stream mapped to results as graphql-tools' `mapSourceToResponse` does, one compiled
 * execution per event. A class, so an open subscription holds its fields and two callbacks (what
 * the source's promise calls per event), not a closure per step.
 */
class CompiledEvents implements AsyncGenerator<ExecutionResult> {
  private readonly iterator: AsyncIterator<unknown>;
  private done = false;
  private ended = false;
  /** Plugins' per-event, end and error work (masking, metrics, logs) runs here, rather than in envelop's wrappers. */
  private readonly hooks = hostStreamHooks(this);

  constructor(
    source: AsyncIterable<unknown>,
    private readonly exeContext: ExecutionContext,
    private readonly args: ExecutionArgs,
    private readonly plan: ObjectPlan,
    private readonly entry: CompiledOperation,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.done) {
      this.end();
      return Promise.resolve(FINISHED);
    }
    try {
      return this.iterator.next().then(this.onStep, this.onSourceError);
    } catch (error: unknown) {
      return this.onSourceError(error);
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.done = true;
    const closing = this.iterator.return?.();
    this.end();
    await closing;
    return FINISHED;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.done = true;
    if (this.iterator.throw) {
      try {
        await this.iterator.throw(error);
      } catch (thrown: unknown) {
        return this.close(sourceError(thrown, this.exeContext), false);
      }
    } else await this.iterator.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** One step of the source: its event executed, synchronously for a compiled event (no promise of its own). */
  private readonly onStep = (step: IteratorResult<unknown>): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) {
      this.done = true;
      this.end();
      return FINISHED;
    }
    let produced: ExecutionResult | Promise<ExecutionResult>;
    try {
      produced = this.run(step.value);
    } catch (error: unknown) {
      return this.fail(error);
    }
    return isPromise(produced) ? produced.then((event) => this.emit(event), (error: unknown) => this.fail(error)) : this.emit(produced);
  };

  private readonly onSourceError = (error: unknown): Promise<never> => this.fail(sourceError(error, this.exeContext));

  private run(payload: unknown): ExecutionResult | Promise<ExecutionResult> {
    if (!this.entry.async) {
      try {
        return executeEvent(this.plan, this.exeContext, payload) as ExecutionResult;
      } catch (error: unknown) {
        if (!(error instanceof NeedsAsync)) throw error;
        this.entry.async = true;
      }
    }
    return execute({ ...this.args, rootValue: payload }) as ExecutionResult | Promise<ExecutionResult>;
  }

  private emit(event: ExecutionResult): IteratorResult<ExecutionResult> | Promise<never> {
    const { events } = this.hooks;
    try {
      return { value: events.length === 0 ? event : runEventHooks(events, event), done: false };
    } catch (error: unknown) {
      return this.fail(error);
    }
  }

  private fail(error: unknown): Promise<never> {
    return this.close(error, true);
  }

  /**
   * As the executor's mapAsyncIterator: the source is closed (and awaited) before the error surfaces;
   * a `next()` that fails passes its error through the subscribers' error hooks (envelop's onSubscribeError).
   */
  private async close(error: unknown, fromNext: boolean): Promise<never> {
    this.done = true;
    try {
      await this.iterator.return?.();
    } catch {
      // The error being thrown is the one that matters.
    }
    throw fromNext && this.hooks.errors.length > 0 ? runErrorHooks(this.hooks.errors, error) : error;
  }

  /** The subscribers' end hooks, once: on the first done result, or when the consumer leaves (envelop's onEnd). */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const hook of this.hooks.ends) hook();
  }
}

/** Which engine ran a subscription: the compiled plan, or graphql-tools (handed back). */
export type SubscriptionPath = 'compiled' | 'handed_back';

/**
 * A drop-in for graphql-tools' `subscribe` (Yoga's engine) that executes each event with a plan
 * compiled once from the selection set: arguments coerced once per subscription, no async
 * iterator or promise per field. Anything it does not compile (@defer/@stream, abstract types,
 * an abort signal or custom resolvers in the args, request errors) goes to `fallback` unchanged.
 * When a resolver answers with a promise, that event is executed again by graphql-tools (its
 * resolvers run twice, once) and later events of that selection go to graphql-tools directly.
 * `onPath` is told which engine took each subscription (metrics).
 */
export function compileSubscribe(fallback: SubscribeFn, onPath: (path: SubscriptionPath) => void = () => undefined): SubscribeFn {
  const handBack = (args: ExecutionArgs) => {
    onPath('handed_back');
    return fallback(args);
  };
  return (args) => {
    const extra = args as { signal?: unknown; schemaCoordinateInErrors?: unknown };
    if (args.fieldResolver || args.subscribeFieldResolver || args.typeResolver || extra.signal || extra.schemaCoordinateInErrors) return handBack(args);
    const entry = operationOf(args.schema, args.document, args.operationName);
    if (!entry.compilable) return handBack(args);
    const exeContext = buildExecutionContext(args);
    // Variable errors and the like: the executor answers them in its own shape.
    if (!('schema' in exeContext)) return handBack(args);
    const opened = openSourceStream(exeContext, entry);
    if (!opened) return handBack(args);
    const { stream, plan } = opened;
    onPath('compiled');
    const map = (resolved: unknown) => (isAsyncIterable(resolved) && plan ? new CompiledEvents(resolved, exeContext, args, plan, entry) : resolved);
    return isPromise(stream) ? stream.then(map) : map(stream);
  };
}
