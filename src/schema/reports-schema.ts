import { USAGE_GROUP_BY, type AuditLogFilter, type UsageReportRow, type UsageReports } from '../durable/usage-reports.js';
import { GatewayError } from '../errors.js';
import type { AuditRecord } from '../observability/audit/create-audit.js';
import { USAGE_OUTCOMES } from '../services/usage-meter.js';
import type { StoredApiKey } from '../stores/store-types.js';
import type { ObjectRef } from '@pothos/core';
import type { Builder } from './builder.js';
import type { GatewayContext } from './context.js';
import { enumValues } from './enum-values.js';

type BuilderTypes = Builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

/** Largest page a connection serves. */
export const MAX_PAGE_SIZE = 500;

interface Edge<Node> {
  cursor: string;
  node: Node;
}
interface Page<Node> {
  edges: Edge<Node>[];
  hasNextPage: boolean;
}

function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new GatewayError('BAD_USER_INPUT', `first: expects 1 to ${MAX_PAGE_SIZE}, but got ${size}`, { details: { field: 'first' } });
  }
  return size;
}

function time(value: string | null | undefined, field: string): Date | undefined {
  if (value == null) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GatewayError('BAD_USER_INPUT', `${field}: expects an ISO-8601 time`, { details: { field } });
  return date;
}

/** The reports, or FEATURE_DISABLED naming what to configure. */
function reportsOf(context: GatewayContext, field: string): UsageReports {
  if (!context.reports) {
    throw new GatewayError('FEATURE_DISABLED', `${field} reads PostgreSQL, and no database is configured (set database.url or DATABASE_URL).`, { details: { field } });
  }
  return context.reports;
}

const keyCursor = (id: string) => Buffer.from(`key|${id}`).toString('base64url');
function afterKey(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!text.startsWith('key|')) throw new GatewayError('BAD_USER_INPUT', 'after: not a cursor from this connection', { details: { field: 'after' } });
  return text.slice(4);
}

/** Admin reports over the system of record (usageReport, auditLog) and the apiKeys connection. */
export function addReportsSchema(builder: Builder, ApiKeyRef: ObjectRef<BuilderTypes, StoredApiKey>) {
  const PageInfo = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
    description: 'Relay cursor pagination: where this page ends and whether more follow.',
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage', { description: 'True when a next page exists (pass endCursor as `after`).' }),
      endCursor: t.exposeString('endCursor', { nullable: true, description: 'The cursor of the last edge; null on an empty page.' }),
    }),
  });
  function connection<Node>(name: string, nodeType: ObjectRef<BuilderTypes, Node>) {
    const EdgeRef = builder.objectRef<Edge<Node>>(`${name}Edge`).implement({
      description: `One ${name} with its cursor.`,
      fields: (t) => ({
        cursor: t.exposeString('cursor', { description: 'Opaque position, for `after`.' }),
        // Pothos cannot check a generic node type; the edge's node is that type by construction.
        node: t.field({ type: nodeType, description: `The ${name}.`, resolve: (edge) => edge.node as never }),
      }),
    });
    return builder.objectRef<Page<Node>>(`${name}Connection`).implement({
      description: `A page of ${name} (Relay connection).`,
      fields: (t) => ({
        edges: t.field({ type: [EdgeRef], description: 'This page, in order.', resolve: (page) => page.edges }),
        pageInfo: t.field({ type: PageInfo, description: 'Paging state.', resolve: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null }) }),
      }),
    });
  }

  const UsageGroupBy = builder.enumType('UsageGroupBy', {
    description: 'A dimension of usageReport.',
    values: enumValues(USAGE_GROUP_BY, { key: 'The caller (key id or token subject).', model: 'The model that answered.', provider: 'The provider that answered.', day: 'The UTC day.' }),
  });
  const CompletionOutcome = builder.enumType('CompletionOutcome', {
    description: 'How a completion ended.',
    values: enumValues(USAGE_OUTCOMES, { success: 'Answered.', failed: 'Ended with an error.', cancelled: 'The client went away (or shutdown ended it).' }),
  });
  const UsageReportRowRef = builder.objectRef<UsageReportRow>('UsageReportRow').implement({
    description: 'One group of the usage ledger; dimensions not grouped by are null.',
    fields: (t) => ({
      kind: t.exposeString('kind', { nullable: true, description: 'How the caller authenticated: "key", "jwt" or "anonymous" (KEY).' }),
      key: t.exposeString('key', { nullable: true, description: 'Caller id: key id, token subject or "anonymous" (KEY).' }),
      model: t.exposeString('model', { nullable: true, description: 'Answering model (MODEL); null also for completions nothing answered.' }),
      provider: t.exposeString('provider', { nullable: true, description: 'Answering provider (PROVIDER).' }),
      day: t.exposeString('day', { nullable: true, description: 'UTC day YYYY-MM-DD (DAY).' }),
      requests: t.exposeInt('requests', { description: 'Completions, whatever their outcome.' }),
      promptTokens: t.exposeInt('promptTokens', { description: 'Input tokens.' }),
      completionTokens: t.exposeInt('completionTokens', { description: 'Output tokens (reasoning included).' }),
      reasoningTokens: t.exposeInt('reasoningTokens', { description: 'Reasoning tokens (part of completionTokens).' }),
      cachedPromptTokens: t.int({ description: 'Prompt tokens served from the provider cache.', resolve: (row) => row.cachedTokens }),
      costMicros: t.float({ description: 'Cost in micro-USD: an exact integer.', resolve: (row) => row.costMicros }),
      costUsd: t.float({ description: 'Cost in US dollars.', resolve: (row) => row.costMicros / 1_000_000 }),
    }),
  });
  const AuditEntry = builder.objectRef<AuditRecord>('AuditEntry').implement({
    description: 'One completion in the audit log of record.',
    fields: (t) => ({
      time: t.field({ type: 'DateTime', description: 'When it ended.', resolve: (record) => record.time }),
      requestId: t.exposeString('requestId', { description: 'The x-request-id.' }),
      keyId: t.exposeString('keyId', { description: 'The caller.' }),
      requested: t.exposeString('requested', { description: 'The model or route asked for.' }),
      model: t.exposeString('model', { nullable: true, description: 'The model that answered.' }),
      provider: t.exposeString('provider', { nullable: true, description: 'The provider that answered.' }),
      outcome: t.field({ type: CompletionOutcome, description: 'How it ended.', resolve: (record) => record.outcome }),
      errorCode: t.exposeString('errorCode', { nullable: true, description: 'The error code when it failed.' }),
      promptTokens: t.exposeInt('promptTokens', { description: 'Input tokens.' }),
      completionTokens: t.exposeInt('completionTokens', { description: 'Output tokens (reasoning included).' }),
      // Records written before these fields existed lack them.
      reasoningTokens: t.int({ description: 'Reasoning tokens (part of completionTokens).', resolve: (record) => record.reasoningTokens ?? 0 }),
      cachedPromptTokens: t.int({ description: 'Prompt tokens served from the provider cache (part of promptTokens).', resolve: (record) => record.cachedPromptTokens ?? 0 }),
      costUsd: t.exposeFloat('costUsd', { nullable: true, description: 'US dollars; null without pricing.' }),
      latencyMs: t.exposeInt('latencyMs', { description: 'Milliseconds.' }),
      record: t.field({ type: 'JSON', description: 'The whole audit record (fields documented in docs/).', resolve: (record) => record }),
    }),
  });
  const AuditLogFilterInput = builder.inputType('AuditLogFilter', {
    description: 'Filters of auditLog; all optional, combined with AND.',
    fields: (t) => ({
      keyId: t.id({ description: 'The caller.' }),
      model: t.string({ description: 'The answering model id.' }),
      outcome: t.field({ type: CompletionOutcome, description: 'How it ended.' }),
      from: t.field({ type: 'DateTime', description: 'Inclusive start.' }),
      to: t.field({ type: 'DateTime', description: 'Exclusive end.' }),
    }),
  });
  const UsageReportRef = builder.objectRef<{ rows: UsageReportRow[] }>('UsageReport').implement({
    description: 'The usage ledger over a time range.',
    fields: (t) => ({
      rows: t.field({ type: [UsageReportRowRef], description: 'One row per group, ordered by the dimensions.', resolve: (report) => report.rows }),
    }),
  });
  const AuditLogConnection = connection('AuditEntry', AuditEntry);
  const ApiKeyConnection = connection('ApiKey', ApiKeyRef);

  builder.queryFields((t) => ({
    usageReport: t.field({
      type: UsageReportRef,
      authScopes: { scope: 'admin' },
      description: 'Usage from the ledger over [from, to), grouped (admin). FEATURE_DISABLED without a database.',
      args: {
        from: t.arg({ type: 'DateTime', required: true, description: 'Inclusive start.' }),
        to: t.arg({ type: 'DateTime', required: true, description: 'Exclusive end.' }),
        groupBy: t.arg({ type: [UsageGroupBy], defaultValue: [], description: 'Dimensions; none: one total row.' }),
      },
      resolve: async (_root, args, context) => {
        const reports = reportsOf(context, 'usageReport');
        const from = time(args.from, 'from') as Date;
        const to = time(args.to, 'to') as Date;
        if (to <= from) throw new GatewayError('BAD_USER_INPUT', 'to: expects a time after from', { details: { field: 'to' } });
        return { rows: await reports.usage(from, to, args.groupBy ?? []) };
      },
    }),
    auditLog: t.field({
      type: AuditLogConnection,
      authScopes: { scope: 'admin' },
      description: 'The audit log of record, newest first (admin). FEATURE_DISABLED unless audit records go to PostgreSQL.',
      args: {
        first: t.arg.int({ defaultValue: 50, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` }),
        after: t.arg.string({ description: 'endCursor of the previous page.' }),
        filter: t.arg({ type: AuditLogFilterInput, description: 'Filters.' }),
      },
      resolve: async (_root, args, context) => {
        const reports = reportsOf(context, 'auditLog');
        if (!context.auditOfRecord) {
          throw new GatewayError('FEATURE_DISABLED', 'auditLog reads the PostgreSQL audit sink: set audit.sink to "postgres" (or "auto").', { details: { field: 'auditLog' } });
        }
        const filter: AuditLogFilter = {};
        if (args.filter?.keyId != null) filter.keyId = String(args.filter.keyId);
        if (args.filter?.model != null) filter.model = args.filter.model;
        if (args.filter?.outcome != null) filter.outcome = args.filter.outcome;
        const from = time(args.filter?.from, 'filter.from');
        const to = time(args.filter?.to, 'filter.to');
        if (from) filter.from = from;
        if (to) filter.to = to;
        try {
          const page = await reports.auditLog(filter, pageSize(args.first, 50), args.after ?? undefined);
          return { edges: page.rows.map((row) => ({ cursor: row.cursor, node: row.record as AuditRecord })), hasNextPage: page.hasNextPage };
        } catch (error: unknown) {
          if (error instanceof RangeError) throw new GatewayError('BAD_USER_INPUT', error.message, { details: { field: 'after' } });
          throw error;
        }
      },
    }),
    apiKeys: t.field({
      type: ApiKeyConnection,
      authScopes: { scope: 'admin' },
      description: 'API keys by id (admin): config keys and keys created at runtime.',
      args: {
        first: t.arg.int({ defaultValue: 100, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` }),
        after: t.arg.string({ description: 'endCursor of the previous page.' }),
      },
      resolve: async (_root, args, context) => {
        const size = pageSize(args.first, 100);
        const after = args.after ? afterKey(args.after) : undefined;
        const keys = (await context.accounts.listKeys()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const rest = after === undefined ? keys : keys.filter((key) => key.id > after);
        return { edges: rest.slice(0, size).map((key) => ({ cursor: keyCursor(key.id), node: key })), hasNextPage: rest.length > size };
      },
    }),
  }));
}
