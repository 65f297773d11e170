import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { compileSubscribe } from '../../src/execution/compiled-subscribe.js';
import { executor } from '../../src/execution/executor-utils.js';

const { normalizedExecutor } = executor;

/** One outcome of a subscription, comparable with toStrictEqual: results, errors (with class, path, extensions, cause) or a throw. */
type Outcome = { result: unknown } | { thrown: unknown };

function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return { nonError: error };
  const described: Record<string, unknown> = { class: error.constructor.name, message: error.message };
  if (error instanceof GraphQLError) {
    described.json = error.toJSON();
    described.coordinate = (error as { coordinate?: unknown }).coordinate;
    described.original = error.originalError ? describeError(error.originalError) : undefined;
  }
  if (error instanceof AggregateError) described.errors = error.errors.map(describeError);
  return described;
}

function describeResult(result: ExecutionResult): unknown {
  return { keys: Object.keys(result), data: result.data, errors: result.errors?.map(describeError) };
}

async function collect(run: () => unknown): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  try {
    const result = await run();
    if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
      for await (const each of result as AsyncIterable<ExecutionResult>) outcomes.push({ result: describeResult(each) });
    } else outcomes.push({ result: describeResult(result as ExecutionResult) });
  } catch (error: unknown) {
    outcomes.push({ thrown: describeError(error) });
  }
  return outcomes;
}

/**
 * Runs one subscription twice, each with a fresh context: through graphql-tools' executor (what Yoga
 * runs) and through the compiled path. `fallbacks` counts subscriptions the compiled path handed back.
 */
export async function runBoth(args: ExecutionArgs, context: () => unknown): Promise<{ compiled: Outcome[]; reference: Outcome[]; fallbacks: number }> {
  let fallbacks = 0;
  const reference = await collect(() => normalizedExecutor({ ...args, contextValue: context() } as never));
  const compiledSubscribe = compileSubscribe((fallbackArgs) => {
    fallbacks++;
    return normalizedExecutor(fallbackArgs as never);
  });
  const compiled = await collect(() => compiledSubscribe({ ...args, contextValue: context() }));
  return { compiled, reference, fallbacks };
}
