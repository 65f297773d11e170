import { getOperationAST, GraphQLError, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import type { LimitsConfig } from '../config/config-schema.js';
import type { RateLimitStore } from '../stores/store-types.js';

const ROOT_TYPE = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

export interface FieldRateLimitsOptions {
  fields: LimitsConfig['fields'];
  rateLimits: RateLimitStore;
}

/** How many times each configured root field appears in the operation (aliases count). */
function rootFieldCounts(document: DocumentNode, operationName: string | null | undefined, fields: LimitsConfig['fields']) {
  const operation = getOperationAST(document, operationName);
  const counts = new Map<string, number>();
  if (!operation) return counts;
  const typeName = ROOT_TYPE[operation.operation];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const coordinate = `${typeName}.${selection.name.value}`;
    if (coordinate in fields) counts.set(coordinate, (counts.get(coordinate) ?? 0) + 1);
  }
  return counts;
}

/**
 * Per-field limits per caller (`limits.fields` in the config), on root fields,
 * for queries, mutations and subscriptions alike, counted atomically in the
 * shared store. A refused operation never executes: RATE_LIMITED, HTTP 429 and
 * a numeric Retry-After.
 */
export function useFieldRateLimits(options: FieldRateLimitsOptions): Plugin {
  const { fields, rateLimits } = options;
  if (Object.keys(fields).length === 0) return {};

  async function check(args: { document: DocumentNode; operationName?: string | null; contextValue: unknown }) {
    const principal = (args.contextValue as { principal?: Principal }).principal;
    const identity = principal?.subject ?? 'anon';
    for (const [coordinate, count] of rootFieldCounts(args.document, args.operationName, fields)) {
      const limit = fields[coordinate];
      if (!limit) continue;
      const decision = await rateLimits.take(`field:${coordinate}:${identity}`, limit.max, limit.windowMs, count);
      if (!decision.allowed) {
        const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1_000));
        return new GraphQLError(`Rate limit reached for ${coordinate}: ${limit.max} per ${limit.windowMs / 1_000} s. Retry in ${retryAfterSeconds} s.`, {
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds, http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } } },
        });
      }
    }
    return undefined;
  }

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const refused = await check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const refused = await check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
