import { getOperationAST, type DocumentNode } from 'graphql';

/** Operation names are client-chosen: only short identifiers become label values. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Distinct operation names kept as labels; later new names are counted as `other`. */
export const MAX_OPERATION_NAMES = 200;

export const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

export interface OperationLabels {
  type: string;
  operation: string;
}

/**
 * Bounds the `operation` label: a name that is not a short identifier is
 * `anonymous`, and once `max` distinct names were seen any new one is `other`.
 * One instance per registry, so gateways do not share the budget.
 */
export function createOperationLabeler(max: number = MAX_OPERATION_NAMES): (document: DocumentNode, operationName?: string | null) => OperationLabels {
  const seen = new Set<string>();
  return (document, operationName) => {
    let operation;
    try {
      operation = getOperationAST(document, operationName);
    } catch {
      operation = null;
    }
    const type = operation && OPERATION_TYPES.has(operation.operation) ? operation.operation : 'unknown';
    const name = operation?.name?.value;
    if (name === undefined || !OPERATION_NAME.test(name)) return { type, operation: 'anonymous' };
    if (seen.has(name)) return { type, operation: name };
    if (seen.size >= max) return { type, operation: 'other' };
    seen.add(name);
    return { type, operation: name };
  };
}
