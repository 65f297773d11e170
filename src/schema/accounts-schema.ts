import { parseSubject, PRINCIPAL_KINDS } from '../auth/principal.js';
import { apiKeyConfigSchema, SCOPES, type KeyLimits, type Scope } from '../config/config-schema.js';
import { formatConfigPath } from '../config/config-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import { USAGE_PERIODS, type BudgetStatus, type ModelUsage, type UsageSummary } from '../services/accounts-service.js';
import type { StoredApiKey } from '../stores/store-types.js';
import type { Builder } from './builder.js';
import type { GatewayContext } from './context.js';
import { enumValues } from './enum-values.js';

const NOT_SAID = 'Completions whose provider did not say, or counted before the gateway kept this counter, add 0.';
const REASONING_TOKENS_SUM = `The part of completionTokens the model spent reasoning: each completion's \`Usage.reasoningTokens\`, summed. ${NOT_SAID}`;
const CACHED_PROMPT_TOKENS_SUM = `The part of promptTokens read from the provider's prompt cache: each completion's \`Usage.cachedPromptTokens\`, summed. ${NOT_SAID}`;

interface NewKeyInput {
  id: string | number;
  scopes?: Scope[] | null;
  models?: string[] | null;
  limits?: { requestsPerMinute?: number | null; tokensPerMinute?: number | null; budgetUsd?: number | null; maxConcurrentRequests?: number | null } | null;
}

/** Validates createApiKey's input with the same rules as keys in the config file. */
function toNewKey(input: NewKeyInput): { id: string; scopes: Scope[]; models: string[]; limits: KeyLimits } {
  const limits = Object.fromEntries(Object.entries(input.limits ?? {}).filter(([, value]) => value != null));
  const parsed = apiKeyConfigSchema.safeParse({
    id: String(input.id),
    sha256: '0'.repeat(64),
    ...(input.scopes ? { scopes: input.scopes } : {}),
    ...(input.models ? { models: input.models } : {}),
    limits,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = `input.${formatConfigPath(issue?.path ?? [])}`;
    throw new GatewayError('BAD_USER_INPUT', `${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
  }
  return { id: parsed.data.id, scopes: parsed.data.scopes, models: parsed.data.models, limits: parsed.data.limits };
}

/** Viewer (the caller's own limits and usage) and the admin fields (keys, anyone's usage). */
export function addAccountsSchema(builder: Builder) {
  const ScopeEnum = builder.enumType('Scope', {
    description: 'What a key may do.',
    values: enumValues(SCOPES, {
      models: 'Read the catalog: models, routes, providers.',
      chat: 'Run chat completions (chat, chatStream).',
      embed: 'Compute embeddings.',
      admin: "Manage API keys and read anyone's usage.",
    }),
  });
  const PrincipalKind = builder.enumType('PrincipalKind', {
    description: 'How the caller authenticated.',
    values: enumValues(PRINCIPAL_KINDS, {
      key: 'An API key.',
      jwt: 'A JSON Web Token.',
      anonymous: 'Nothing: the gateway runs with open access (no keys configured).',
    }),
  });
  const UsagePeriod = builder.enumType('UsagePeriod', {
    description: 'A UTC calendar period.',
    values: enumValues(USAGE_PERIODS, { day: 'Today (UTC).', month: 'This month so far (UTC).' }),
  });

  const KeyLimitsRef = builder.objectRef<KeyLimits>('KeyLimits').implement({
    description: "A key's limits; null means unlimited.",
    fields: (t) => ({
      requestsPerMinute: t.exposeInt('requestsPerMinute', { nullable: true, description: 'Model calls per minute (sliding).' }),
      tokensPerMinute: t.exposeInt('tokensPerMinute', { nullable: true, description: 'Prompt + completion tokens per minute (sliding).' }),
      budgetUsd: t.exposeFloat('budgetUsd', { nullable: true, description: 'US dollars per budget period.' }),
      maxConcurrentRequests: t.exposeInt('maxConcurrentRequests', {
        nullable: true,
        description: "Model calls in flight at once (open streams included); null: the gateway's default, if any.",
      }),
    }),
  });
  const KeyLimitsInput = builder.inputType('KeyLimitsInput', {
    description: 'Limits for a new key; omit a field for no limit.',
    fields: (t) => ({
      requestsPerMinute: t.int({ description: 'Model calls per minute.' }),
      tokensPerMinute: t.int({ description: 'Tokens per minute.' }),
      budgetUsd: t.float({ description: 'US dollars per budget period.' }),
      maxConcurrentRequests: t.int({ description: 'Model calls in flight at once.' }),
    }),
  });
  const ModelUsageRef = builder.objectRef<ModelUsage>('ModelUsage').implement({
    description: 'Usage of one model.',
    fields: (t) => ({
      model: t.exposeString('model', { description: 'The model id that answered.' }),
      requests: t.exposeInt('requests', { description: 'Completions (cancelled and failed streams included).' }),
      promptTokens: t.exposeInt('promptTokens', { description: 'Input tokens.' }),
      completionTokens: t.exposeInt('completionTokens', { description: 'Output tokens, reasoning tokens included.' }),
      reasoningTokens: t.exposeInt('reasoningTokens', { description: REASONING_TOKENS_SUM }),
      cachedPromptTokens: t.exposeInt('cachedPromptTokens', { description: CACHED_PROMPT_TOKENS_SUM }),
      costUsd: t.exposeFloat('costUsd', { description: 'US dollars.' }),
    }),
  });
  const UsageSummaryRef = builder.objectRef<UsageSummary>('UsageSummary').implement({
    description: 'Usage over a period, shared by every replica.',
    fields: (t) => ({
      period: t.field({ type: UsagePeriod, description: 'The period.', resolve: (summary) => summary.period }),
      from: t.exposeString('from', { description: 'First UTC day, YYYY-MM-DD.' }),
      to: t.exposeString('to', { description: 'Last UTC day, YYYY-MM-DD.' }),
      requests: t.exposeInt('requests', { description: 'Completions.' }),
      promptTokens: t.exposeInt('promptTokens', { description: 'Input tokens.' }),
      completionTokens: t.exposeInt('completionTokens', { description: 'Output tokens, reasoning tokens included.' }),
      reasoningTokens: t.exposeInt('reasoningTokens', { description: REASONING_TOKENS_SUM }),
      cachedPromptTokens: t.exposeInt('cachedPromptTokens', { description: CACHED_PROMPT_TOKENS_SUM }),
      costUsd: t.exposeFloat('costUsd', { description: 'US dollars.' }),
      byModel: t.field({ type: [ModelUsageRef], description: 'Per model.', resolve: (summary) => summary.byModel }),
    }),
  });
  const BudgetRef = builder.objectRef<BudgetStatus>('Budget').implement({
    description: 'Spend against the budget this period.',
    fields: (t) => ({
      period: t.exposeString('period', { description: '"day" or "month" (UTC).' }),
      limitUsd: t.exposeFloat('limitUsd', { description: 'The budget.' }),
      spentUsd: t.exposeFloat('spentUsd', { description: 'Spent so far, including requests in flight.' }),
      remainingUsd: t.float({ description: 'What is left.', resolve: (budget) => Math.max(0, budget.limitUsd - budget.spentUsd) }),
    }),
  });

  const Viewer = builder.objectRef<GatewayContext['principal']>('Viewer').implement({
    description: 'The caller.',
    fields: (t) => ({
      keyId: t.exposeID('keyId', { description: 'The key id or token subject usage is counted against ("anonymous" when open).' }),
      kind: t.field({ type: PrincipalKind, description: 'How the caller authenticated.', resolve: (principal) => principal.kind }),
      scopes: t.field({ type: [ScopeEnum], description: 'What the caller may do.', resolve: (principal) => [...principal.scopes] }),
      models: t.stringList({ description: 'Allowed model and route ids (globs); empty means all.', resolve: (principal) => [...principal.models] }),
      limits: t.field({ type: KeyLimitsRef, description: 'Limits.', resolve: (principal) => principal.limits }),
      usage: t.field({
        type: UsageSummaryRef,
        description: 'Usage so far.',
        args: { period: t.arg({ type: UsagePeriod, defaultValue: 'day', description: 'DAY (default) or MONTH.' }) },
        resolve: (principal, args, context) => context.accounts.usage(principal.subject, args.period ?? 'day'),
      }),
      budget: t.field({
        type: BudgetRef,
        nullable: true,
        description: 'Budget status; null without a budget.',
        resolve: (principal, _args, context) => context.accounts.budget(principal.subject, principal.limits),
      }),
    }),
  });
  const ApiKeyRef = builder.objectRef<StoredApiKey>('ApiKey').implement({
    description: 'An API key. Its secret is never shown again after creation.',
    fields: (t) => ({
      id: t.exposeID('id', { description: 'The key id.' }),
      scopes: t.field({ type: [ScopeEnum], description: 'What it may do.', resolve: (key) => key.scopes as (typeof SCOPES)[number][] }),
      models: t.exposeStringList('models', { description: 'Allowed model and route ids (globs); empty means all.' }),
      limits: t.field({ type: KeyLimitsRef, description: 'Limits.', resolve: (key) => key.limits }),
      createdAt: t.field({ type: 'DateTime', description: 'When it was created.', resolve: (key) => key.createdAt }),
      revokedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was revoked.', resolve: (key) => key.revokedAt ?? null }),
      source: t.exposeString('source', { description: '"config" (config file) or "api" (createApiKey).' }),
    }),
  });
  const CreateApiKeyPayload = builder.objectRef<{ key: StoredApiKey; secret: string }>('CreateApiKeyPayload').implement({
    description: 'A new key and its secret.',
    fields: (t) => ({
      key: t.field({ type: ApiKeyRef, description: 'The key.', resolve: (payload) => payload.key }),
      secret: t.exposeString('secret', { description: 'The secret: shown this once, stored only as a hash. Send it as "Authorization: Bearer <secret>".' }),
    }),
  });
  const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
    description: 'A key to create.',
    fields: (t) => ({
      id: t.id({ required: true, description: 'Unique id: letters, digits, . _ -.' }),
      scopes: t.field({ type: [ScopeEnum], description: 'Default: MODELS, CHAT, EMBED.' }),
      models: t.stringList({ description: 'Allowed model and route ids (globs); default: all.' }),
      limits: t.field({ type: KeyLimitsInput, description: 'Default: none.' }),
    }),
  });

  builder.queryFields((t) => ({
    viewer: t.field({ type: Viewer, description: 'The caller: its scopes, limits and usage.', resolve: (_root, _args, context) => context.principal }),
    keyUsage: t.field({
      type: UsageSummaryRef,
      authScopes: { scope: 'admin' },
      description: "Any key's usage (admin).",
      args: {
        keyId: t.arg.id({ required: true, description: 'An API key id; `jwt:<subject>` for a token subject, "anonymous" for open-mode callers.' }),
        period: t.arg({ type: UsagePeriod, defaultValue: 'day', description: 'DAY (default) or MONTH.' }),
      },
      resolve: (_root, args, context) => context.accounts.usage(parseSubject(String(args.keyId)), args.period ?? 'day'),
    }),
  }));

  builder.mutationFields((t) => ({
    createApiKey: t.field({
      type: CreateApiKeyPayload,
      authScopes: { scope: 'admin' },
      description: 'Creates an API key (admin). The secret is in the answer, once.',
      args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
      resolve: (_root, { input }, context) => context.accounts.createKey(toNewKey(input)),
    }),
    revokeApiKey: t.field({
      type: ApiKeyRef,
      authScopes: { scope: 'admin' },
      description: 'Revokes a key on every replica within a second (admin).',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, context) => context.accounts.revokeKey(String(args.id)),
    }),
  }));
  return { ApiKeyRef };
}
