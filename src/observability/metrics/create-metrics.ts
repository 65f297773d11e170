import type { Plugin } from 'graphql-yoga';
import type { HealthRegistry } from '../../routing/target-health.js';
import type { CallRegistry } from '../../services/call-registry.js';
import type { Catalog } from '../../services/catalog.js';
import type { ChatObserver } from '../../services/chat-observer.js';

/** Prometheus metrics: completions (observer), GraphQL operations and `GET /metrics` (plugin). */
export interface Metrics {
  observer: ChatObserver;
  plugin: Plugin;
  /** Counts a cache lookup. */
  cacheLookup(cache: 'response' | 'completion', hit: boolean): void;
}

export interface MetricsDeps {
  catalog: Catalog;
  health: HealthRegistry;
  calls: CallRegistry;
}

/** STUB: replaced by the metrics implementation. */
export function createMetrics(_deps: MetricsDeps): Metrics {
  return {
    observer: { requestStarted: () => ({ attemptStarted: () => () => undefined, finished: () => undefined }) },
    plugin: {},
    cacheLookup: () => undefined,
  };
}
