import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load-config.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const PATHS = ['/graphql?query=%7B__typename%7D', '/v1/models', '/metrics'];

async function corsOf(url: string, origin: string) {
  const response = await fetch(url, { headers: { origin } });
  await response.arrayBuffer();
  return {
    allowOrigin: response.headers.get('access-control-allow-origin'),
    credentials: response.headers.get('access-control-allow-credentials'),
  };
}

describe('CORS by default', () => {
  let open: RunningGateway;
  beforeAll(async () => {
    open = await startGateway();
  });
  afterAll(async () => {
    await open.stop();
  });

  it.each(PATHS)('by default, %s allows any page without credentials and never reflects the Origin (nor null)', async (path) => {
    for (const origin of ['https://evil.example', 'null']) {
      expect(await corsOf(`${open.origin}${path}`, origin)).toEqual({ allowOrigin: '*', credentials: null });
    }
  });

  it('the fast lane sends the same headers as Yoga', async () => {
    const response = await fetch(open.url, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ models { id } }' }) });
    await response.text();
    expect([response.status, response.headers.get('access-control-allow-origin'), response.headers.get('access-control-allow-credentials')]).toEqual([200, '*', null]);
  });

  it.each(['/graphql', '/v1/chat/completions', '/v1/models'])('answers a browser preflight to %s with 204', async (path) => {
    const response = await fetch(`${open.origin}${path}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-stainless-os');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

});

describe('CORS with a list of origins and credentials', () => {
  let listed: RunningGateway;
  beforeAll(async () => {
    listed = await startGateway(`
server: { cors: { origins: ["https://app.example"], credentials: true } }
providers: [{ id: local, type: local }]
`);
  });
  afterAll(async () => {
    await listed.stop();
  });

  it.each(PATHS)('with a list, %s names only a listed origin, with credentials', async (path) => {
    expect(await corsOf(`${listed.origin}${path}`, 'https://app.example')).toEqual({ allowOrigin: 'https://app.example', credentials: 'true' });
    for (const origin of ['https://evil.example', 'null', 'https://app.example.evil.example']) {
      expect(await corsOf(`${listed.origin}${path}`, origin)).toEqual({ allowOrigin: null, credentials: null });
    }
  });

  it('every answer to a GraphQL POST carries them: fast-lane JSON and SSE, a refused stream, Yoga\'s fallbacks, a refused body', async () => {
    const origin = 'https://app.example';
    const stream = (model: string) => JSON.stringify({ query: `subscription { chatStream(input: {model: "${model}", messages: [{role: USER, content: "hi"}]}) { delta } }` });
    const cases: [string, RequestInit][] = [
      ['json', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ models { id } }' }) }],
      ['sse', { headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: stream('local/echo') }],
      ['refused sse', { headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: stream('nope/none') }],
      ['yoga: form', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D' }],
      ['yoga: syntax error', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ models {' }) }],
      ['too large', { headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5 * 1024 * 1024) }],
    ];
    const seen: Record<string, unknown> = {};
    for (const [name, init] of cases) {
      const response = await fetch(listed.url, { method: 'POST', ...init, headers: { ...(init.headers as Record<string, string>), origin } });
      await response.arrayBuffer();
      seen[name] = [response.headers.get('access-control-allow-origin'), response.headers.get('access-control-allow-credentials'), response.headers.get('vary')];
    }
    const expected = [origin, 'true', 'Origin'];
    expect(seen).toEqual(Object.fromEntries(cases.map(([name]) => [name, expected])));
  });

  it('a preflight from an origin not listed gets no permission', async () => {
    const response = await fetch(`${listed.origin}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses credentials with "*" and the opaque origin "null" in config', () => {
    expect(() => parseConfig('server: { cors: { credentials: true } }', 'test config', {})).toThrow(/server\.cors\.credentials: credentials: true needs an explicit list of origins/);
    expect(() => parseConfig('server: { cors: { origins: ["null"], credentials: true } }', 'test config', {})).toThrow(ConfigError);
  });
});

describe('open mode binds to loopback when a paid provider is configured', () => {
  const host = (yaml: string | undefined, env: Record<string, string> = {}) => parseConfig(yaml, 'test config', env).server.host;

  it('chooses 127.0.0.1 only for open mode with a non-local provider and no explicit host', () => {
    const openai = 'providers: [{ id: openai, type: openai, apiKey: sk-test }]';
    expect(host(openai)).toBe('127.0.0.1');
    expect(host(undefined, { OPENAI_API_KEY: 'sk-test' })).toBe('127.0.0.1');
    expect(parseConfig(openai, 'test config', {}).hostNotice).toMatch(/open mode.*127\.0\.0\.1.*HOST or server\.host/);
    // Explicit choices are honoured.
    expect(host(openai, { HOST: '0.0.0.0' })).toBe('0.0.0.0');
    expect(host(`${openai}\nserver: { host: "::" }`)).toBe('::');
    // Keys configured, or only the local demo provider: every interface, as before.
    expect(host(`${openai}\nauth: { keys: [{ id: a, secret: sk-a-0123456789abcdef, scopes: [chat] }] }`)).toBe('0.0.0.0');
    expect(host(undefined)).toBe('0.0.0.0');
  });

  it('says so at start-up, and listens on 127.0.0.1', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '0', OPENAI_API_KEY: 'sk-never-used', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: string[] = [];
      const listening = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          buffered += chunk;
          const complete = buffered.split('\n');
          buffered = complete.pop() ?? '';
          lines.push(...complete);
          if (lines.some((line) => line.includes('open mode'))) resolve(lines.find((line) => line.includes('listening on')) ?? '');
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        // Fail (and reach the finally that stops the child) well before the test's own timeout.
        setTimeout(() => reject(new Error(`no open-mode notice in: ${lines.join('\n')}`)), 20_000).unref();
      });
      expect(listening).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\/graphql/);
      const notice = JSON.parse(lines.find((line) => line.includes('open mode')) ?? '{}') as { level: number; host: string; msg: string };
      expect(notice).toMatchObject({ level: 40, host: '127.0.0.1' });
      expect(notice.msg).toMatch(/openai/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});

describe('draining', () => {
  it('/readyz answers 503 (not a refused connection) while in-flight streams finish; new work gets 503 SHUTTING_DOWN', async () => {
    const gw = await startGateway(`
server: { shutdownGraceMs: 20000 }
providers: [{ id: local, type: local, tokenDelayMs: 50 }]
`);
    const controller = new AbortController();
    const stream = await fetch(gw.url, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { chatStream(input: {model: "local/lorem", maxTokens: 4000, messages: [{role: USER, content: "x"}]}) { delta } }' }),
    });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect((await fetch(`${gw.origin}/readyz`)).status).toBe(200);

    const stopped = gw.stop();
    const readyz = await fetch(`${gw.origin}/readyz`);
    expect(readyz.status).toBe(503);
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
    const refused = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ models { id } }' }) });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('SHUTTING_DOWN');

    controller.abort();
    await reader.cancel().catch(() => undefined);
    await stopped;
    await expect(fetch(`${gw.origin}/readyz`)).rejects.toThrow();
  }, 30_000);
});
