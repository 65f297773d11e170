import type { TracerProvider } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { ChatObserver } from '../../services/chat-observer.js';
import { createChatSpanObserver } from './chat-span-observer.js';
import { ensureContextManager } from './context-manager.js';
import { useOperationSpans } from './use-operation-spans.js';

/** OpenTelemetry tracing; absent (no observer, no plugin) when no tracer provider is given. */
export interface Tracing {
  observer: ChatObserver | undefined;
  plugin: Plugin | undefined;
}

/** The instrumentation scope of every span the gateway starts. */
export const TRACER_NAME = 'switchboard';

/**
 * Spans for GraphQL operations (plugin) and chat completions with their
 * upstream attempts (observer), from the given provider only, never the
 * global one. Without a provider, nothing is installed and nothing runs.
 */
export function createTracing(options: { tracerProvider?: TracerProvider }): Tracing {
  const { tracerProvider } = options;
  if (!tracerProvider) return { observer: undefined, plugin: undefined };
  ensureContextManager();
  const tracer = tracerProvider.getTracer(TRACER_NAME);
  return { observer: createChatSpanObserver(tracer), plugin: useOperationSpans(tracer) };
}
