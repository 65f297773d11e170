import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODES, isGatewayError } from '../../errors/gateway-error.js';
import { errorCodeOf } from '../../errors/mask-gateway-error.js';
import { classifyFailure } from '../../errors/classify-failure.js';
import type { HealthRegistry } from '../../routing/target-health.js';
import type { CallRegistry } from '../../services/call-registry.js';
import type { SubscriptionPath } from '../../execution/compiled-subscribe.js';
import { onEveryEvent, onStreamEnd, onStreamError } from '../../execution/event-hooks.js';
import type { Catalog } from '../../routing/catalog.js';
import type { ChatObserver, CompletionRecord } from '../../services/chat-observer.js';
import { createOperationLabeler } from './operation-labels.js';

/** Prometheus metrics: completions (observer), GraphQL operations and `GET /metrics` (plugin). */
export interface Metrics {
  observer: ChatObserver;
  plugin: Plugin;
  /** Counts a cache lookup. */
  cacheLookup(cache: 'response' | 'completion', hit: boolean): void;
  /** Counts a subscription by the engine that executes its events. */
  subscriptionPath(path: SubscriptionPath): void;
}

export interface MetricsDeps {
  catalog: Catalog;
  health: HealthRegistry;
  calls: CallRegistry;
}

const PREFIX = 'switchboard_';
const METRICS_PATH = '/metrics';

/** Seconds; operations include long streams. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FIRST_TOKEN_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const RATE_LIMITED = 'RATE_LIMITED';

/**
 * Node process metrics describe the process, not a gateway: registered once,
 * on a registry of their own, and appended to every gateway's scrape.
 * (prom-client 15 starts no timers for them: nothing keeps the process alive.)
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX });
  }
  return processRegistry;
}

/** True when an error (a result's, or one a stream threw) carries RATE_LIMITED. */
function isRateLimited(error: unknown): boolean {
  if (error instanceof GraphQLError) return errorCodeOf(error) === RATE_LIMITED;
  return isGatewayError(error) && error.code === RATE_LIMITED;
}

const isClientGone = (error: unknown): boolean => classifyFailure(error).kind === 'gone';

/**
 * prom-client checks and hashes the label object on every call. The label sets here are
 * bounded (catalog ids, closed sets, capped operation names), so each one's child is made
 * once and found again by its values.
 */
function childrenBy<T>(make: (values: string[]) => T): (...values: string[]) => T {
  const children = new Map<string, T>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (child === undefined) children.set(key, (child = make(values)));
    return child;
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Prometheus metrics on a registry of the gateway's own (several gateways can
 * share a process). Label values are bounded: models and providers come from
 * the catalog, codes from closed sets, operation names are filtered and capped;
 * the requested model id (user input) is never a label.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const { catalog, health, calls } = deps;
  const registry = new Registry();
  const registers = [registry];
  const modelIds: ReadonlySet<string> = new Set(catalog.models.map((model) => model.id));
  const providerIds: ReadonlySet<string> = new Set(catalog.providers.map((provider) => provider.id));
  const modelLabel = (id: string | null): string => (id === null ? 'none' : modelIds.has(id) ? id : 'other');
  const providerLabel = (id: string | null): string => (id === null ? 'none' : providerIds.has(id) ? id : 'other');
  const labelOperation = createOperationLabeler();

  const operations = new Counter({
    name: `${PREFIX}graphql_operations_total`,
    help: 'GraphQL operations, by type, operation name (bounded) and outcome (ok, error, or cancelled: the client went away).',
    labelNames: ['type', 'operation', 'outcome'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: `${PREFIX}graphql_operation_duration_seconds`,
    help: 'GraphQL operation duration (subscriptions: until the stream ends).',
    labelNames: ['type', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const completions = new Counter({
    name: `${PREFIX}completions_total`,
    help: 'Chat completions, by answering model and provider.',
    labelNames: ['model', 'provider', 'streaming', 'outcome', 'cached'] as const,
    registers,
  });
  const completionDuration = new Histogram({
    name: `${PREFIX}completion_duration_seconds`,
    help: 'Chat completion latency, attempts included.',
    labelNames: ['model', 'streaming'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const firstToken = new Histogram({
    name: `${PREFIX}time_to_first_token_seconds`,
    help: 'Streamed completions: time from the request to the first token.',
    labelNames: ['model'] as const,
    buckets: FIRST_TOKEN_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: `${PREFIX}tokens_total`,
    help: 'Tokens consumed, input (prompt) and output (completion).',
    labelNames: ['model', 'direction'] as const,
    registers,
  });
  // Subsets of the input and output tokens above, in counters of their own so that sum(tokens_total) stays every token once.
  const reasoningTokens = new Counter({
    name: `${PREFIX}reasoning_tokens_total`,
    help: 'Output tokens spent reasoning (part of tokens_total{direction="output"}), where the provider reports them.',
    labelNames: ['model'] as const,
    registers,
  });
  const cachedPromptTokens = new Counter({
    name: `${PREFIX}cached_prompt_tokens_total`,
    help: "Input tokens read from the provider's prompt cache (part of tokens_total{direction=\"input\"}), where the provider reports them.",
    labelNames: ['model'] as const,
    registers,
  });
  const cost = new Counter({
    name: `${PREFIX}cost_usd_total`,
    help: 'Spend in USD, for models with pricing configured.',
    labelNames: ['model'] as const,
    registers,
  });
  const attempts = new Counter({
    name: `${PREFIX}attempts_total`,
    help: 'Upstream attempts, by target and outcome.',
    labelNames: ['model', 'provider', 'outcome'] as const,
    registers,
  });
  const errors = new Counter({
    name: `${PREFIX}errors_total`,
    help: 'Failed completions, by error code.',
    labelNames: ['code'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: `${PREFIX}rate_limited_total`,
    help: 'Refusals with RATE_LIMITED: GraphQL operations (source="operation") and completions (source="completion").',
    labelNames: ['source'] as const,
    registers,
  });
  const cacheLookups = new Counter({
    name: `${PREFIX}cache_lookups_total`,
    help: 'Cache lookups, by cache and result.',
    labelNames: ['cache', 'result'] as const,
    registers,
  });
  const subscriptions = new Counter({
    name: `${PREFIX}subscriptions_total`,
    help: 'Subscriptions, by the engine that executes their events: compiled, or handed back to graphql-tools.',
    labelNames: ['engine'] as const,
    registers,
  });
  const subscriptionEngines = { compiled: subscriptions.labels('compiled'), handed_back: subscriptions.labels('handed_back') };
  // Both series from the start, so a rate() over them never begins with a gap.
  for (const engine of Object.values(subscriptionEngines)) engine.inc(0);
  new Gauge({
    name: `${PREFIX}breaker_state`,
    help: 'Circuit breaker state per model: 0 closed, 1 half_open, 2 open.',
    labelNames: ['model'] as const,
    registers,
    collect() {
      for (const model of catalog.models) this.set({ model: model.id }, BREAKER_VALUE[health.snapshot(model).state]);
    },
  });
  new Gauge({
    name: `${PREFIX}target_in_flight`,
    help: 'Upstream calls in flight per model.',
    labelNames: ['model'] as const,
    registers,
    collect() {
      for (const model of catalog.models) this.set({ model: model.id }, health.snapshot(model).inFlight);
    },
  });
  new Gauge({
    name: `${PREFIX}operations_in_flight`,
    help: 'Model operations in flight (calls shutdown would cancel).',
    registers,
    collect() {
      this.set(calls.size);
    },
  });

  // Pre-created so they read 0 before the first event.
  for (const result of ['hit', 'miss']) {
    cacheLookups.inc({ cache: 'response', result }, 0);
    cacheLookups.inc({ cache: 'completion', result }, 0);
  }
  rateLimited.inc({ source: 'operation' }, 0);
  rateLimited.inc({ source: 'completion' }, 0);

  // In labelNames order.
  const completionsBy = childrenBy((values) => completions.labels(...values));
  const completionDurationBy = childrenBy((values) => completionDuration.labels(...values));
  const firstTokenBy = childrenBy((values) => firstToken.labels(...values));
  const tokensBy = childrenBy((values) => tokens.labels(...values));
  const costBy = childrenBy((values) => cost.labels(...values));
  const reasoningTokensBy = childrenBy((values) => reasoningTokens.labels(...values));
  const cachedPromptTokensBy = childrenBy((values) => cachedPromptTokens.labels(...values));
  const attemptsBy = childrenBy((values) => attempts.labels(...values));
  const operationsBy = childrenBy((values) => operations.labels(...values));
  const operationDurationBy = childrenBy((values) => operationDuration.labels(...values));

  function finished(record: CompletionRecord): void {
    const model = modelLabel(record.model);
    const streaming = record.streaming ? 'true' : 'false';
    completionsBy(model, providerLabel(record.provider), streaming, record.outcome, record.cached ? 'true' : 'false').inc();
    completionDurationBy(model, streaming).observe(record.latencyMs / 1000);
    if (record.streaming && record.timeToFirstTokenMs !== null) firstTokenBy(model).observe(record.timeToFirstTokenMs / 1000);
    const { usage } = record;
    if (usage) {
      tokensBy(model, 'input').inc(usage.promptTokens);
      tokensBy(model, 'output').inc(usage.completionTokens);
      if (usage.reasoningTokens > 0) reasoningTokensBy(model).inc(usage.reasoningTokens);
      if (usage.cachedPromptTokens > 0) cachedPromptTokensBy(model).inc(usage.cachedPromptTokens);
      if (usage.costUsd !== null) costBy(model).inc(usage.costUsd);
    }
    for (const attempt of record.attempts) {
      attemptsBy(modelLabel(attempt.model), providerLabel(attempt.provider), attempt.outcome).inc();
    }
    if (record.errorCode !== null) {
      errors.inc({ code: KNOWN_ERROR_CODES.has(record.errorCode) ? record.errorCode : 'other' });
      if (record.errorCode === RATE_LIMITED) rateLimited.inc({ source: 'completion' });
    }
  }

  const observation = { attemptStarted: () => () => undefined, finished };

  /** Counts one operation once, however it ends. */
  function operationTimer(labels: { type: string; operation: string }): { fail(errors: readonly unknown[]): void; done(): void } {
    const started = performance.now();
    let outcome: 'ok' | 'error' | 'cancelled' = 'ok';
    let recorded = false;
    let rateLimitCounted = false;
    return {
      fail(errors) {
        // One operation counts once, however many of its errors (or stream events) say so.
        if (!rateLimitCounted && errors.some(isRateLimited)) {
          rateLimitCounted = true;
          rateLimited.inc({ source: 'operation' });
        }
        // A client that left is no error rate of ours; one real error among them still is.
        if (outcome !== 'error') outcome = errors.every(isClientGone) ? 'cancelled' : 'error';
      },
      done() {
        if (recorded) return;
        recorded = true;
        operationsBy(labels.type, labels.operation, outcome).inc();
        operationDurationBy(labels.type, outcome).observe((performance.now() - started) / 1000);
      },
    };
  }

  function watch(timer: ReturnType<typeof operationTimer>, result: unknown) {
    if (isAsyncIterable(result)) {
      const events = onEveryEvent(result, (next) => {
        if (next.errors?.length) timer.fail(next.errors);
      });
      const end = onStreamEnd(result, () => timer.done());
      return events || end ? { ...events, ...end } : undefined;
    }
    const single = result as ExecutionResult | undefined;
    if (single?.errors?.length) timer.fail(single.errors);
    timer.done();
    return undefined;
  }

  const plugin: Plugin = {
    // Synchronous for every other request: only a scrape awaits anything.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH || request.method !== 'GET') return undefined;
      return Promise.all([registry.metrics(), processMetrics().metrics()]).then(([own, node]) => {
        endResponse(new fetchAPI.Response(`${own}\n${node}`, { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } }));
      });
    },
    onExecute({ args }) {
      const timer = operationTimer(labelOperation(args.document, args.operationName));
      return {
        onExecuteDone({ result }) {
          return watch(timer, result);
        },
      };
    },
    onSubscribe({ args }) {
      const timer = operationTimer(labelOperation(args.document, args.operationName));
      return {
        onSubscribeResult({ result, setResult }) {
          onStreamError(
            result,
            (error) => {
              timer.fail([error]);
              timer.done();
              return error;
            },
            setResult,
          );
          return watch(timer, result);
        },
      };
    },
  };

  return {
    observer: { requestStarted: () => observation },
    plugin,
    cacheLookup(cache, hit) {
      cacheLookups.inc({ cache, result: hit ? 'hit' : 'miss' });
    },
    subscriptionPath(path) {
      subscriptionEngines[path].inc();
    },
  };
}
