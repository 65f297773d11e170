import { resolve } from 'node:path';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createYoga } from 'graphql-yoga';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/create-logger.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { HTTP_HOOKS, httpHooksOf, laneHandles, laneHandlingOf, type HttpHook } from '../../src/server/fast-lane/lane-hooks.js';

/**
 * The guard of the fast lane: it serves operations through `getEnveloped` and so runs none of the
 * HTTP-level hooks of Yoga's plugins (onRequest, onRequestParse, onParams, onExecutionResult,
 * onResultProcess, onResponse, instrumentation). Every such hook in the real gateway's plugin list
 * must have an answer: the gateway's own plugins say how the lane handles it (`laneHandles`, where
 * they join the list), and Yoga's own HTTP plugins belong to the kinds the lane mirrors (answered
 * alike, as test/integration/fast-lane.test.ts checks) or leaves to Yoga.
 */

/**
 * What Yoga's own plugins do in their HTTP hooks, and why the lane needs none of them. A Yoga
 * version whose own plugins use another HTTP hook fails here until the lane answers for it.
 */
const YOGA_OWN_HOOKS: Partial<Record<HttpHook, string>> = {
  onRequest: 'health check, GraphiQL, unknown routes: other paths and GET, never taken by the lane',
  onRequestParse: 'request parsers, body size and method checks: the lane takes only POST with a JSON body that read-body.ts bounded',
  onParams: 'params shape, batching, mutation via GET: isParams (query, variables, operationName only), single operations, POST only',
  onResultProcess: 'result processors: writeJson and writeSse answer with the media type Yoga would choose',
};

/** One plugin's HTTP hooks and their source: the same for every instance of a Yoga-internal plugin, so it recognises them. */
function fingerprint(plugin: object): string {
  return httpHooksOf(plugin)
    .map((hook) => {
      const value = (plugin as Record<string, unknown>)[hook];
      const source = typeof value === 'function' ? value.toString() : Object.entries(value as object).map(([key, fn]) => `${key}:${String(fn)}`).join(';');
      return `${hook}=${source}`;
    })
    .join('\n');
}

/** The plugins a Yoga instance runs, after each plugin's `onPluginInit` added its own (a protected field of Yoga's server). */
function pluginsOf(yoga: object): readonly object[] {
  return (yoga as { plugins: readonly unknown[] }).plugins.filter((plugin): plugin is object => typeof plugin === 'object' && plugin !== null);
}

/** Yoga's own plugins (no user plugins); GraphiQL on, as the gateway may have it. */
const yogaOwn = new Set(pluginsOf(createYoga({ graphiql: true, healthCheckEndpoint: '/healthz', logging: false })).map(fingerprint));

/** A plugin as a developer would find it: the hooks it declares. */
function describePlugin(plugin: object): string {
  return Object.keys(plugin).filter((key) => key.startsWith('on') || key === 'instrumentation').join(', ');
}

/** Every HTTP hook the lane has no answer for, as "plugin #i (its hooks): hook". */
function unhandledHooks(plugins: readonly object[]): string[] {
  return plugins.flatMap((plugin, index) => {
    const hooks = httpHooksOf(plugin);
    if (hooks.length === 0) return [];
    const answers = yogaOwn.has(fingerprint(plugin)) ? YOGA_OWN_HOOKS : laneHandlingOf(plugin);
    return hooks.filter((hook) => !answers?.[hook]).map((hook) => `plugin #${index} (${describePlugin(plugin)}): ${hook}`);
  });
}

const running: Gateway[] = [];
afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.stop()));
});

async function startGatewayWith(yaml: string, options: { traced?: boolean } = {}): Promise<Gateway> {
  const config = parseConfig(yaml, 'test config', {});
  const gateway = await createGateway({ config, logger: createLogger({ level: 'silent' }), ...(options.traced ? { tracerProvider: new BasicTracerProvider() } : {}) });
  running.push(gateway);
  await gateway.listen(0, '127.0.0.1');
  return gateway;
}

describe('fast lane guard: every HTTP-level plugin hook has an answer', () => {
  it('on the gateway with every optional plugin the lane meets (response cache, metrics, tracing, GraphiQL)', async () => {
    const gateway = await startGatewayWith('providers: [{ id: local, type: local }]\nserver: { graphiql: true }\ncache: { responses: { enabled: true } }\n', { traced: true });
    const plugins = pluginsOf(gateway.yoga);
    // The list is the real one: Yoga's own HTTP plugins and the gateway's, each recognised.
    expect(plugins.filter((plugin) => httpHooksOf(plugin).length > 0 && yogaOwn.has(fingerprint(plugin))).length).toBeGreaterThan(5);
    expect(plugins.filter((plugin) => laneHandlingOf(plugin) !== undefined).length).toBeGreaterThan(5);
    expect(unhandledHooks(plugins)).toEqual([]);
  });

  it('on the gateway with persisted operations (which keeps every request on Yoga)', async () => {
    const manifest = resolve('schema/persisted-operations.json');
    const gateway = await startGatewayWith(`providers: [{ id: local, type: local }]\nserver: { persistedOperations: { manifest: "${manifest}", allowArbitraryOperations: true } }\n`);
    expect(unhandledHooks(pluginsOf(gateway.yoga))).toEqual([]);
  });

  it('flags a new plugin with an HTTP hook the lane does not answer for', async () => {
    const gateway = await startGatewayWith('providers: [{ id: local, type: local }]\n');
    const plugins = pluginsOf(gateway.yoga);
    const added = {
      onRequest() {},
      onExecute() {},
    };
    expect(unhandledHooks([...plugins, added])).toEqual([`plugin #${plugins.length} (onRequest, onExecute): onRequest`]);
    // A plugin that says how the lane handles one hook, and later gains another, is flagged for the new one.
    const grown = laneHandles({ onRequest() {}, onResponse() {} }, { onRequest: 'not met: GET /x only' });
    expect(unhandledHooks([grown])).toEqual(['plugin #0 (onRequest, onResponse): onResponse']);
    // Every HTTP hook kind is checked, whoever declares it.
    for (const hook of HTTP_HOOKS) expect(unhandledHooks([{ [hook]: () => undefined }])).toEqual([`plugin #0 (${hook}): ${hook}`]);
  });
});
