import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import type { Provider } from '../../src/providers/contract.js';
import { createLocalProvider } from '../../src/providers/local/create-local-provider.js';
import { createCatalog, type Catalog, type Target } from '../../src/routing/catalog.js';

const CONFIG = `
providers:
  - id: local
    type: local
  - id: spare
    type: local
models:
  - provider: local
    upstream: echo
  - provider: local
    upstream: lorem
    id: lorem-chat-only
    capabilities: [chat]
  - provider: spare
    upstream: echo
    capabilities: [chat, streaming, tools]
routes:
  - id: mixed
    targets:
      - model: lorem-chat-only
      - model: local/echo
        weight: 2
      - model: spare/echo
        weight: 3
  - id: chat-only
    targets:
      - model: lorem-chat-only
`;

function setup(): { catalog: Catalog; providers: Map<string, Provider> } {
  const config = parseConfig(CONFIG, 'catalog.test.yaml', {});
  const providers = new Map<string, Provider>(
    config.providers.map((provider) => [provider.id, createLocalProvider({ id: provider.id, tokenDelayMs: 0 })]),
  );
  return { catalog: createCatalog(config, providers), providers };
}

function gatewayErrorOf(fn: () => unknown): GatewayError {
  let caught: unknown;
  try {
    fn();
  } catch (error: unknown) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  return caught as GatewayError;
}

const summary = (targets: readonly Target[]) => targets.map((target) => [target.model.id, target.provider.id, target.weight]);

describe('createCatalog: lookups', () => {
  it('indexes models, routes and providers by id', () => {
    const { catalog } = setup();
    expect(catalog.models.map((model) => model.id)).toEqual(['local/echo', 'lorem-chat-only', 'spare/echo']);
    expect(catalog.model('lorem-chat-only')?.upstream).toBe('lorem');
    expect(catalog.route('mixed')?.targets).toHaveLength(3);
    expect(catalog.provider('spare')?.type).toBe('local');
    expect(catalog.model('mixed')).toBeUndefined();
    expect(catalog.route('local/echo')).toBeUndefined();
    expect(catalog.provider('openai')).toBeUndefined();
  });
});

describe('createCatalog: resolve', () => {
  it('resolves a model id to one target on its provider', () => {
    const { catalog, providers } = setup();
    const targets = catalog.resolve('spare/echo', 'chat');
    expect(summary(targets)).toEqual([['spare/echo', 'spare', 1]]);
    expect(targets[0]?.provider).toBe(providers.get('spare'));
    expect(targets[0]?.model).toBe(catalog.model('spare/echo'));
  });

  it('resolves a route id to its targets, in route order, with their weights', () => {
    const { catalog, providers } = setup();
    const targets = catalog.resolve('mixed', 'chat');
    expect(summary(targets)).toEqual([
      ['lorem-chat-only', 'local', 1],
      ['local/echo', 'local', 2],
      ['spare/echo', 'spare', 3],
    ]);
    expect(targets[2]?.provider).toBe(providers.get('spare'));
  });

  it('filters out route targets that lack the capability, keeping the order', () => {
    const { catalog } = setup();
    expect(summary(catalog.resolve('mixed', 'streaming'))).toEqual([
      ['local/echo', 'local', 2],
      ['spare/echo', 'spare', 3],
    ]);
    expect(summary(catalog.resolve('mixed', 'tools'))).toEqual([['spare/echo', 'spare', 3]]);
  });

  it('gives the same answer when asked again, per capability', () => {
    const { catalog } = setup();
    expect(summary(catalog.resolve('mixed', 'streaming'))).toHaveLength(2);
    expect(summary(catalog.resolve('mixed', 'chat'))).toHaveLength(3);
    expect(summary(catalog.resolve('mixed', 'streaming'))).toHaveLength(2);
  });

  it('throws MODEL_NOT_FOUND for an unknown id', () => {
    const { catalog } = setup();
    const error = gatewayErrorOf(() => catalog.resolve('gpt-9', 'chat'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('"gpt-9"');
    expect(error.details).toEqual({ model: 'gpt-9' });
  });

  it('throws BAD_USER_INPUT for a model without the capability', () => {
    const { catalog } = setup();
    const error = gatewayErrorOf(() => catalog.resolve('lorem-chat-only', 'streaming'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('streaming');
    expect(error.details).toEqual({ model: 'lorem-chat-only', capability: 'streaming' });
  });

  it('throws BAD_USER_INPUT for a route none of whose targets has the capability', () => {
    const { catalog } = setup();
    const error = gatewayErrorOf(() => catalog.resolve('chat-only', 'streaming'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toMatchObject({ model: 'chat-only', capability: 'streaming' });
    expect(summary(catalog.resolve('chat-only', 'chat'))).toEqual([['lorem-chat-only', 'local', 1]]);
  });

  it('keeps throwing for an id that failed before', () => {
    const { catalog } = setup();
    expect(() => catalog.resolve('nope', 'chat')).toThrow(GatewayError);
    expect(() => catalog.resolve('nope', 'chat')).toThrow(GatewayError);
  });
});
