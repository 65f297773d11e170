import type { TracerProvider } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { ChatObserver } from '../../services/chat-observer.js';

/** OpenTelemetry tracing; absent (no observer, no plugin) when no tracer provider is given. */
export interface Tracing {
  observer: ChatObserver | undefined;
  plugin: Plugin | undefined;
}

/** STUB: replaced by the tracing implementation. */
export function createTracing(_options: { tracerProvider?: TracerProvider }): Tracing {
  return { observer: undefined, plugin: undefined };
}
