/**
 * The plugin hooks only Yoga's HTTP layer runs (its server adapter and request handler). The fast
 * lane serves an operation through `getEnveloped` (parse, validate, context, execute, subscribe),
 * so none of these run there: whatever a plugin does in them, the lane has to do itself, leave to
 * Yoga (by handing the request back), or be sure never to meet.
 */
export const HTTP_HOOKS = ['onRequest', 'onRequestParse', 'onParams', 'onExecutionResult', 'onResultProcess', 'onResponse', 'instrumentation'] as const;
export type HttpHook = (typeof HTTP_HOOKS)[number];

/** For each HTTP hook a plugin declares, how the fast lane answers for it (one line: emulated where, or why not needed). */
export type LaneHandling = Partial<Record<HttpHook, string>>;

const handled = new WeakMap<object, LaneHandling>();

/**
 * Records how the fast lane answers for `plugin`'s HTTP hooks, and returns the plugin. Every
 * plugin of the gateway with an HTTP hook says so where it joins Yoga's plugin list; a guard test
 * (test/integration/fast-lane-hooks.test.ts) fails on any HTTP hook without an answer.
 */
export function laneHandles<P extends object>(plugin: P, handling: LaneHandling): P {
  handled.set(plugin, handling);
  return plugin;
}

/** What `laneHandles` recorded for a plugin, if anything. */
export function laneHandlingOf(plugin: object): LaneHandling | undefined {
  return handled.get(plugin);
}

/** The HTTP hooks a plugin declares. */
export function httpHooksOf(plugin: object): HttpHook[] {
  return HTTP_HOOKS.filter((hook) => (plugin as Partial<Record<HttpHook, unknown>>)[hook] != null);
}
