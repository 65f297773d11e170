import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import type { GatewayConfig } from '../../src/config/config-schema.js';
import { EMBEDDED_DEFAULT, loadConfig, parseConfig } from '../../src/config/load-config.js';

type Env = Record<string, string | undefined>;

const SOURCE = '/etc/switchboard/switchboard.yaml';

/** Runs `fn`, expects a ConfigError, and returns it. */
function configErrorOf(fn: () => unknown): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error: unknown) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

async function rejectionOf(promise: Promise<unknown>): Promise<ConfigError> {
  const caught: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

/** A ConfigError message is printed as is: it must never carry stack frames. */
function expectNoStackTrace(error: ConfigError): void {
  expect(error.message).not.toMatch(/^\s+at /m);
  expect(error.message).not.toMatch(/\.(ts|js):\d+/);
}

function parse(yaml: string, env: Env = {}): GatewayConfig {
  return parseConfig(yaml, SOURCE, env);
}

const ids = (entries: readonly { id: string }[]) => entries.map((entry) => entry.id);

const LOCAL_ONLY = `
providers:
  - id: local
    type: local
`;

describe('parseConfig: embedded default', () => {
  it('serves the local demo provider, its models and the demo route', () => {
    const config = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    expect(config.source).toBe(EMBEDDED_DEFAULT);
    expect(ids(config.providers)).toEqual(['local']);
    expect(config.providers[0]?.type).toBe('local');
    expect(ids(config.models)).toEqual(['local/echo', 'local/lorem', 'local/tools', 'local/vision', 'local/think', 'local/embed']);
    expect(config.models.every((model) => model.provider === 'local')).toBe(true);
    expect(ids(config.routes)).toEqual(['demo']);
    expect(config.routes[0]?.targets.map((target) => target.model)).toEqual(['local/echo', 'local/lorem']);
  });

  it('fills the server defaults', () => {
    const { server } = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    expect(server.port).toBe(4000);
    expect(server.host).toBe('0.0.0.0');
    expect(server.maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(server.maxDepth).toBe(12);
    expect(server.maxCost).toBe(1000);
    expect(server.costPerModelCall).toBe(50);
  });

  it('prices the local models at zero', () => {
    const config = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    for (const model of config.models) expect(model.pricing).toEqual({ input: 0, output: 0 });
  });

  it('returns fresh server, provider and route objects on every parse', () => {
    const first = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    const second = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    first.server.port = 1234;
    first.providers[0]!.headers.injected = 'yes';
    first.routes[0]!.targets.push({ model: 'local/echo', weight: 5 });
    first.routes.push({ id: 'extra', strategy: 'fallback', targets: [{ model: 'local/echo', weight: 1 }] });
    expect(second.server.port).toBe(4000);
    expect(second.providers[0]?.headers).toEqual({});
    expect(second.routes[0]?.targets).toHaveLength(2);
    expect(ids(second.routes)).toEqual(['demo']);
    expect(parseConfig(undefined, EMBEDDED_DEFAULT, {}).server.port).toBe(4000);
  });

  // BUG (src/config/resolve-config.ts, withCatalogDefaults): `capabilities` is the very array of
  // LOCAL_MODELS (and, for catalog models, of MODEL_CATALOG); `pricing` of catalog models is the
  // catalog's object. Mutating one parsed config's model changes every later parse.
  it('returns fresh model capability arrays on every parse (shared with LOCAL_MODELS)', () => {
    const first = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    const second = parseConfig(undefined, EMBEDDED_DEFAULT, {});
    expect(first.models[0]!.capabilities).not.toBe(second.models[0]!.capabilities);
  });

  it('returns fresh catalog pricing objects on every parse (shared with MODEL_CATALOG)', () => {
    const env = { OPENAI_API_KEY: 'sk-test' };
    const first = parseConfig(undefined, EMBEDDED_DEFAULT, env);
    const second = parseConfig(undefined, EMBEDDED_DEFAULT, env);
    const pick = (config: GatewayConfig) => config.models.find((model) => model.id === 'openai/gpt-4o-mini')!;
    expect(pick(first).pricing).not.toBe(pick(second).pricing);
  });
});

describe('parseConfig: environment interpolation', () => {
  const withKey = (value: string) => `
providers:
  - id: openai
    type: openai
    apiKey: ${value}
`;

  it('replaces ${VAR} with the variable', () => {
    const config = parse(withKey('${MY_KEY}'), { MY_KEY: 'sk-123' });
    expect(config.providers[0]?.apiKey).toBe('sk-123');
  });

  it('replaces ${VAR} inside a longer string', () => {
    const config = parse(
      `
providers:
  - id: proxy
    type: openai
    baseUrl: https://\${PROXY_HOST}/v1
`,
      { PROXY_HOST: 'llm.internal:8443' },
    );
    expect(config.providers[0]?.baseUrl).toBe('https://llm.internal:8443/v1');
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', () => {
    expect(parse(withKey('${MY_KEY:-fallback-key}'), {}).providers[0]?.apiKey).toBe('fallback-key');
    expect(parse(withKey('${MY_KEY:-fallback-key}'), { MY_KEY: '' }).providers[0]?.apiKey).toBe('fallback-key');
  });

  it('prefers the variable over the default of ${VAR:-default}', () => {
    expect(parse(withKey('${MY_KEY:-fallback-key}'), { MY_KEY: 'real' }).providers[0]?.apiKey).toBe('real');
  });

  it('reports an unset variable with the source, the path and the variable name', () => {
    const error = configErrorOf(() => parse(withKey('${MISSING_KEY}'), {}));
    expect(error.source).toBe(SOURCE);
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('providers[0].apiKey');
    expect(error.message).toContain('MISSING_KEY');
    expectNoStackTrace(error);
  });

  it('inserts values with YAML-special characters verbatim, without changing the structure', () => {
    const tricky = 'a: b # not a comment\n- c: [d]';
    const config = parse(
      `
providers:
  - id: openai
    type: openai
    apiKey: \${TRICKY}
    headers:
      X-Note: "\${TRICKY}"
`,
      { TRICKY: tricky },
    );
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]?.apiKey).toBe(tricky);
    expect(config.providers[0]?.headers).toEqual({ 'X-Note': tricky });
  });
});

describe('parseConfig: errors', () => {
  it('names the field and the allowed values for a wrong provider type', () => {
    const error = configErrorOf(() =>
      parse(`
providers:
  - id: acme
    type: acme-ai
`),
    );
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('providers[0].type');
    expect(error.message).toMatch(/openai/);
    expect(error.message).toMatch(/anthropic/);
    expectNoStackTrace(error);
  });

  it('names an unknown top-level key', () => {
    const error = configErrorOf(() => parse(`${LOCAL_ONLY}\nmodles: []\n`));
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('modles');
    expectNoStackTrace(error);
  });

  it('names an unknown key inside a provider', () => {
    const error = configErrorOf(() =>
      parse(`
providers:
  - id: local
    type: local
    api_key: x
`),
    );
    expect(error.message).toContain('providers[0]');
    expect(error.message).toContain('api_key');
  });

  it('refuses a model whose provider is not configured', () => {
    const error = configErrorOf(() =>
      parse(`${LOCAL_ONLY}
models:
  - provider: ghost
    upstream: gpt-4o
`),
    );
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('models[0].provider');
    expect(error.message).toContain('"ghost"');
    expect(error.message).toContain('local');
    expectNoStackTrace(error);
  });

  it('refuses a route target that is not a configured model', () => {
    const error = configErrorOf(() =>
      parse(`${LOCAL_ONLY}
routes:
  - id: fast
    targets:
      - model: local/echo
      - model: local/nope
`),
    );
    expect(error.message).toContain('routes[0].targets[1].model');
    expect(error.message).toContain('"local/nope"');
    expect(error.message).not.toContain('targets[0]');
    expectNoStackTrace(error);
  });

  it('refuses duplicate provider, model and route ids', () => {
    const error = configErrorOf(() =>
      parse(`
providers:
  - id: local
    type: local
  - id: local
    type: local
models:
  - provider: local
    upstream: echo
  - provider: local
    upstream: echo
routes:
  - id: r
    targets: [{ model: local/echo }]
  - id: r
    targets: [{ model: local/echo }]
`),
    );
    expect(error.message).toMatch(/providers\[1\]\.id: "local" is used twice/);
    expect(error.message).toMatch(/models\[1\]\.id: "local\/echo" is used twice/);
    expect(error.message).toMatch(/routes\[1\]\.id: "r" is used twice/);
    expect(error.problems).toHaveLength(3);
  });

  it('refuses a route id that is already a model id', () => {
    const error = configErrorOf(() =>
      parse(`${LOCAL_ONLY}
routes:
  - id: local/echo
    targets: [{ model: local/lorem }]
`),
    );
    expect(error.message).toContain('routes[0].id');
  });

  it('refuses a baseUrl that is not an http(s) URL', () => {
    for (const baseUrl of ['not a url', 'ftp://example.com/v1']) {
      const error = configErrorOf(() =>
        parse(`
providers:
  - id: proxy
    type: openai
    baseUrl: ${baseUrl}
`),
      );
      expect(error.message).toContain('providers[0].baseUrl');
      expectNoStackTrace(error);
    }
  });

  it('leaves provider connections uncapped unless maxConnections says otherwise, and refuses a cap of 0', () => {
    const yaml = (extra: string) => `
providers:
  - { id: proxy, type: openai, baseUrl: "http://127.0.0.1:1/v1"${extra} }
`;
    expect(parse(yaml('')).providers[0]?.maxConnections).toBeUndefined();
    expect(parse(yaml(', maxConnections: 64')).providers[0]?.maxConnections).toBe(64);
    expect(configErrorOf(() => parse(yaml(', maxConnections: 0'))).message).toContain('providers[0].maxConnections');
  });

  it("fills a missing baseUrl with the default of the provider's type", () => {
    const config = parse(`
providers:
  - id: claude
    type: anthropic
    apiKey: k
`);
    expect(config.providers[0]?.baseUrl).toBe('https://api.anthropic.com/v1');
  });

  it('fills the baseUrl of a well-known OpenAI-compatible id, and requires it for any other', () => {
    const known = parse(`
providers:
  - { id: groq, type: openai, apiKey: k }
`);
    expect(known.providers[0]?.baseUrl).toBe('https://api.groq.com/openai/v1');
    const error = configErrorOf(() => parse(`
providers:
  - { id: my-vllm, type: openai }
`));
    expect(error.message).toContain('providers[0].baseUrl: expected the base URL of this OpenAI-compatible server');
  });

  it('reports invalid YAML with its line number', () => {
    const error = configErrorOf(() => parse('server:\n  port: 4000\nproviders: [\n  a: b\n'));
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('not valid YAML');
    expect(error.message).toMatch(/\(line \d+\)/);
    expectNoStackTrace(error);
  });

  it('reports a YAML error on the line where it is', () => {
    const error = configErrorOf(() => parse('server:\n  port: 4000\n  host: "unterminated\n'));
    expect(error.message).toMatch(/line [34]\b/);
  });

  it('names a wrong type in the server block', () => {
    const error = configErrorOf(() => parse('server:\n  port: "four thousand"\n'));
    expect(error.message).toContain('server.port');
  });
});

describe('parseConfig: providers from the environment', () => {
  it('adds openai with its catalog models when OPENAI_API_KEY is set', () => {
    const config = parseConfig(undefined, EMBEDDED_DEFAULT, { OPENAI_API_KEY: 'sk-env' });
    const openai = config.providers.find((provider) => provider.id === 'openai');
    expect(openai).toMatchObject({ type: 'openai', apiKey: 'sk-env', baseUrl: 'https://api.openai.com/v1' });
    const mini = config.models.find((model) => model.id === 'openai/gpt-4o-mini');
    expect(mini).toMatchObject({ provider: 'openai', upstream: 'gpt-4o-mini', pricing: { input: 0.15, output: 0.6 } });
    expect(mini?.contextWindow).toBe(128_000);
    expect(ids(config.models)).toContain('openai/gpt-4o');
    // The embedded demo stays.
    expect(ids(config.providers)).toEqual(['local', 'openai']);
  });

  it('honours <ID>_BASE_URL for a provider added from the environment', () => {
    const config = parseConfig(undefined, EMBEDDED_DEFAULT, { OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: 'http://localhost:9999/v1' });
    expect(config.providers.find((provider) => provider.id === 'openai')?.baseUrl).toBe('http://localhost:9999/v1');
  });

  it('adds google when GEMINI_API_KEY is set', () => {
    const config = parseConfig(undefined, EMBEDDED_DEFAULT, { GEMINI_API_KEY: 'g-key' });
    expect(config.providers.find((provider) => provider.id === 'google')).toMatchObject({ type: 'google', apiKey: 'g-key' });
    expect(ids(config.models)).toContain('google/gemini-2.5-flash');
  });

  it('adds nothing for an empty key variable', () => {
    const config = parseConfig(undefined, EMBEDDED_DEFAULT, { OPENAI_API_KEY: '' });
    expect(ids(config.providers)).toEqual(['local']);
  });

  it('does not duplicate a provider the config already lists', () => {
    const config = parse(
      `
providers:
  - id: openai
    type: openai
    apiKey: from-file
models:
  - provider: openai
    upstream: gpt-4o
`,
      { OPENAI_API_KEY: 'from-env' },
    );
    expect(config.providers.filter((provider) => provider.id === 'openai')).toHaveLength(1);
    expect(config.providers[0]?.apiKey).toBe('from-file');
    expect(ids(config.models)).toEqual(['openai/gpt-4o']);
  });

  it('with a config file, serves local only when the file lists it', () => {
    const without = parse(
      `
providers:
  - id: openai
    type: openai
    apiKey: k
`,
    );
    expect(ids(without.providers)).toEqual(['openai']);
    expect(without.models.some((model) => model.provider === 'local')).toBe(false);
    expect(without.routes).toEqual([]);

    const withLocal = parse(LOCAL_ONLY);
    expect(ids(withLocal.providers)).toEqual(['local']);
    expect(ids(withLocal.models)).toEqual(['local/echo', 'local/lorem', 'local/tools', 'local/vision', 'local/think', 'local/embed']);
    expect(withLocal.routes).toEqual([]);
  });
});

describe('parseConfig: catalog defaults', () => {
  it('fills contextWindow, maxOutputTokens, pricing and capabilities from the catalog', () => {
    const config = parse(`
providers:
  - id: openai
    type: openai
    apiKey: k
models:
  - provider: openai
    upstream: gpt-4o
`);
    expect(config.models[0]).toMatchObject({
      id: 'openai/gpt-4o',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      pricing: { input: 2.5, output: 10 },
    });
    expect(config.models[0]?.capabilities).toEqual(expect.arrayContaining(['chat', 'streaming', 'tools', 'vision']));
  });

  it('looks up vendor-prefixed upstream names', () => {
    const config = parse(`
providers:
  - id: router
    type: openai
    baseUrl: https://openrouter.example/api/v1
models:
  - provider: router
    upstream: openai/gpt-4o-mini
`);
    expect(config.models[0]).toMatchObject({ id: 'router/openai/gpt-4o-mini', pricing: { input: 0.15, output: 0.6 } });
  });

  it('lets config values win over the catalog', () => {
    const config = parse(`
providers:
  - id: openai
    type: openai
    apiKey: k
models:
  - id: cheap
    provider: openai
    upstream: gpt-4o
    contextWindow: 8000
    pricing: { input: 1, output: 2 }
    capabilities: [chat]
`);
    expect(config.models[0]).toMatchObject({
      id: 'cheap',
      contextWindow: 8000,
      maxOutputTokens: 16_384,
      pricing: { input: 1, output: 2 },
      capabilities: ['chat'],
    });
  });

  it('leaves unknown upstream models without pricing and with chat + streaming', () => {
    const config = parse(`
providers:
  - id: vllm
    type: openai
    baseUrl: http://localhost:8000/v1
models:
  - provider: vllm
    upstream: my-finetune
`);
    expect(config.models[0]?.pricing).toBeUndefined();
    expect(config.models[0]?.contextWindow).toBeUndefined();
    expect(config.models[0]?.capabilities).toEqual(['chat', 'streaming']);
  });
});

describe('parseConfig: PORT and HOST', () => {
  it('overrides the port and host from the environment', () => {
    const config = parse(`${LOCAL_ONLY}\nserver:\n  port: 5000\n  host: 127.0.0.1\n`, { PORT: '8080', HOST: '::' });
    expect(config.server.port).toBe(8080);
    expect(config.server.host).toBe('::');
  });

  it('keeps the file values without PORT and HOST', () => {
    const config = parse(`${LOCAL_ONLY}\nserver:\n  port: 5000\n  host: 127.0.0.1\n`);
    expect(config.server.port).toBe(5000);
    expect(config.server.host).toBe('127.0.0.1');
  });

  it.each(['http', '70000', '-1', '80.5'])('refuses PORT=%s', (port) => {
    const error = configErrorOf(() => parseConfig(undefined, EMBEDDED_DEFAULT, { PORT: port }));
    expect(error.message).toContain('PORT');
    expect(error.message).toContain(port);
    expectNoStackTrace(error);
  });
});

describe('loadConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the embedded default when there is no file', async () => {
    const config = await loadConfig({ env: {}, cwd: dir });
    expect(config.source).toBe(EMBEDDED_DEFAULT);
    expect(ids(config.routes)).toEqual(['demo']);
  });

  it('names the file when configPath does not exist', async () => {
    const error = await rejectionOf(loadConfig({ configPath: 'missing.yaml', env: {}, cwd: dir }));
    expect(error.source).toBe(join(dir, 'missing.yaml'));
    expect(error.message).toContain(join(dir, 'missing.yaml'));
    expect(error.message).toContain('not found');
    expectNoStackTrace(error);
  });

  it('reads configPath relative to cwd and names it as the source', async () => {
    writeFileSync(join(dir, 'custom.yaml'), `${LOCAL_ONLY}\nserver:\n  port: 4100\n`);
    const config = await loadConfig({ configPath: 'custom.yaml', env: {}, cwd: dir });
    expect(config.source).toBe(join(dir, 'custom.yaml'));
    expect(config.server.port).toBe(4100);
  });

  it('reads SWITCHBOARD_CONFIG', async () => {
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'env.yaml'), `${LOCAL_ONLY}\nserver:\n  port: 4200\n`);
    const config = await loadConfig({ env: { SWITCHBOARD_CONFIG: 'conf/env.yaml' }, cwd: dir });
    expect(config.source).toBe(join(dir, 'conf', 'env.yaml'));
    expect(config.server.port).toBe(4200);
  });

  it('prefers configPath over SWITCHBOARD_CONFIG and ./switchboard.yaml', async () => {
    writeFileSync(join(dir, 'a.yaml'), `${LOCAL_ONLY}\nserver:\n  port: 4301\n`);
    writeFileSync(join(dir, 'b.yaml'), `${LOCAL_ONLY}\nserver:\n  port: 4302\n`);
    writeFileSync(join(dir, 'switchboard.yaml'), `${LOCAL_ONLY}\nserver:\n  port: 4303\n`);
    const config = await loadConfig({ configPath: 'a.yaml', env: { SWITCHBOARD_CONFIG: 'b.yaml' }, cwd: dir });
    expect(config.server.port).toBe(4301);
    const fromEnv = await loadConfig({ env: { SWITCHBOARD_CONFIG: 'b.yaml' }, cwd: dir });
    expect(fromEnv.server.port).toBe(4302);
  });

  it('picks up ./switchboard.yaml in cwd', async () => {
    writeFileSync(join(dir, 'switchboard.yaml'), `${LOCAL_ONLY}\nserver:\n  port: 4400\n`);
    const config = await loadConfig({ env: {}, cwd: dir });
    expect(config.source).toBe(join(dir, 'switchboard.yaml'));
    expect(config.server.port).toBe(4400);
    expect(config.routes).toEqual([]);
  });

  it('names the file in validation errors', async () => {
    writeFileSync(join(dir, 'switchboard.yaml'), 'providers:\n  - id: x\n    type: nope\n');
    const error = await rejectionOf(loadConfig({ env: {}, cwd: dir }));
    expect(error.message).toContain(join(dir, 'switchboard.yaml'));
    expect(error.message).toContain('providers[0].type');
  });
});
