import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Options for `useOperationLimits`. */
export interface OperationLimitsOptions {
  /** Deepest selection nesting allowed. */
  maxDepth: number;
  /** Highest cost allowed: 1 per field, `costPerModelCall` per root model-call field. */
  maxCost: number;
  costPerModelCall: number;
  /** Root fields that call a model (cost `costPerModelCall` each). */
  modelCallFields: ReadonlySet<string>;
}

interface Measure {
  depth: number;
  cost: number;
}

/** Depth and cost of an operation, fragments expanded once each (memoised, cycle-safe). */
function createMeasurer(options: OperationLimitsOptions, fragments: ReadonlyMap<string, FragmentDefinitionNode>) {
  const memo = new Map<string, Measure>();
  const visiting = new Set<string>();

  function measure(selectionSet: SelectionSetNode, atRoot: boolean): Measure {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      let inner: Measure | undefined;
      if (selection.kind === Kind.FIELD) {
        cost += atRoot && options.modelCallFields.has(selection.name.value) ? options.costPerModelCall : 1;
        const child = selection.selectionSet ? measure(selection.selectionSet, false) : { depth: 0, cost: 0 };
        inner = { depth: child.depth + 1, cost: child.cost };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet, atRoot);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        const key = `${atRoot ? 'root:' : ''}${name}`;
        inner = memo.get(key);
        if (!inner) {
          visiting.add(name);
          inner = measure(fragment.selectionSet, atRoot);
          visiting.delete(name);
          memo.set(key, inner);
        }
      }
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  }
  return measure;
}

/** A validation rule that refuses operations deeper or costlier than the limits. */
export function operationLimitsRule(options: OperationLimitsOptions): ValidationRule {
  return (context) => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    );
    const measure = createMeasurer(options, fragments);
    return {
      OperationDefinition(operation) {
        const { depth, cost } = measure(operation.selectionSet, true);
        if (depth > options.maxDepth) {
          context.reportError(
            new GraphQLError(`The operation is ${depth} levels deep; this gateway allows ${options.maxDepth}.`, {
              nodes: operation,
              extensions: { code: 'BAD_USER_INPUT', limit: 'maxDepth' },
            }),
          );
        }
        if (cost > options.maxCost) {
          context.reportError(
            new GraphQLError(
              `The operation costs ${cost} (1 per field, ${options.costPerModelCall} per model call); this gateway allows ${options.maxCost}.`,
              { nodes: operation, extensions: { code: 'BAD_USER_INPUT', limit: 'maxCost' } },
            ),
          );
        }
        return false;
      },
    };
  };
}

/** Refuses operations over the depth and cost limits before they execute, over HTTP and websockets. */
export function useOperationLimits(options: OperationLimitsOptions): Plugin {
  const rule = operationLimitsRule(options);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
