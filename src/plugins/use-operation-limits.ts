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
  /**
   * Deepest nesting inside one `__schema` / `__type` field, which `maxDepth` does not count: the
   * standard introspection query (graphql-js `getIntrospectionQuery()`, every option on) is 15 deep.
   * @default 20
   */
  maxIntrospectionDepth?: number;
  /**
   * Highest cost (1 per field) of the introspection fields of one operation, which `maxCost` does
   * not count: the standard introspection query costs 230.
   * @default 2000
   */
  maxIntrospectionCost?: number;
}

/** Root fields whose subtrees are introspection: bounded on their own, not by maxDepth/maxCost. */
const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);

interface Measure {
  depth: number;
  cost: number;
  /** Deepest and summed cost of the introspection subtrees met (counted apart from the rest). */
  introspectionDepth: number;
  introspectionCost: number;
}

const EMPTY: Measure = { depth: 0, cost: 0, introspectionDepth: 0, introspectionCost: 0 };

/** Depth and cost of an operation, fragments expanded once each (memoised, cycle-safe). */
function createMeasurer(options: OperationLimitsOptions, fragments: ReadonlyMap<string, FragmentDefinitionNode>) {
  const memo = new Map<string, Measure>();
  const visiting = new Set<string>();

  function measure(selectionSet: SelectionSetNode, atRoot: boolean): Measure {
    let depth = 0;
    let cost = 0;
    let introspectionDepth = 0;
    let introspectionCost = 0;
    for (const selection of selectionSet.selections) {
      let inner: Measure | undefined;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const child = selection.selectionSet ? measure(selection.selectionSet, false) : EMPTY;
        if (atRoot && INTROSPECTION_FIELDS.has(name)) {
          // Everything under __schema/__type is introspection: its whole subtree counts apart.
          inner = { ...EMPTY, introspectionDepth: child.depth + 1, introspectionCost: child.cost + 1 };
        } else {
          cost += atRoot && options.modelCallFields.has(name) ? options.costPerModelCall : 1;
          inner = { ...child, depth: child.depth + 1 };
        }
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
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
      introspectionCost += inner.introspectionCost;
    }
    return { depth, cost, introspectionDepth, introspectionCost };
  }
  return measure;
}

/** A validation rule that refuses operations deeper or costlier than the limits. */
export function operationLimitsRule(options: OperationLimitsOptions): ValidationRule {
  const maxIntrospectionDepth = options.maxIntrospectionDepth ?? 20;
  const maxIntrospectionCost = options.maxIntrospectionCost ?? 2_000;
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
        const { depth, cost, introspectionDepth, introspectionCost } = measure(operation.selectionSet, true);
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
        if (introspectionDepth > maxIntrospectionDepth) {
          context.reportError(
            new GraphQLError(`The introspection is ${introspectionDepth} levels deep; this gateway allows ${maxIntrospectionDepth}.`, {
              nodes: operation,
              extensions: { code: 'BAD_USER_INPUT', limit: 'maxIntrospectionDepth' },
            }),
          );
        }
        if (introspectionCost > maxIntrospectionCost) {
          context.reportError(
            new GraphQLError(`The introspection costs ${introspectionCost} (1 per field); this gateway allows ${maxIntrospectionCost}.`, {
              nodes: operation,
              extensions: { code: 'BAD_USER_INPUT', limit: 'maxIntrospectionCost' },
            }),
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
