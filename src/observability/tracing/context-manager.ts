import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

let ensured = false;

/**
 * Makes `context.active()` follow async calls, so the chat span becomes the
 * child of the GraphQL operation span. Registered once, and only when tracing
 * is on; an application that already registered a context manager keeps its own.
 */
export function ensureContextManager(): void {
  if (ensured) return;
  ensured = true;
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}
