import { afterEach, describe, expect, it } from 'vitest';
import { ChatStreamDocument, ModelsDocument } from '../../schema/generated/graphql.js';
import { createWsClient, postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const running: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});

async function start(yaml?: string) {
  const gw = await startGateway(yaml);
  running.push(gw);
  return gw;
}

describe('server', () => {
  it('answers health and readiness probes', async () => {
    const gw = await start();
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.origin}/readyz`)).status).toBe(200);
  });

  it('serves the embedded default catalog with the local demo models', async () => {
    const gw = await start();
    const { body } = await postGraphQL(gw.url, ModelsDocument, {});
    expect(body.data?.models.map((model) => model.id)).toEqual(['local/echo', 'local/lorem', 'local/tools', 'local/vision', 'local/think', 'local/embed']);
    expect(body.data?.models[0]?.description).toMatch(/Demo model/);
    const embedding = await postGraphQL(gw.url, ModelsDocument, { capability: 'EMBEDDINGS' });
    expect(embedding.body.data?.models.map((model) => model.id)).toEqual(['local/embed']);
  });

  it('returns a request id on every response, keeping a sane incoming one', async () => {
    const gw = await start();
    const fresh = await postGraphQL(gw.url, '{ models { id } }');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await postGraphQL(gw.url, '{ models { id } }', undefined, { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    const replaced = await postGraphQL(gw.url, '{ models { id } }', undefined, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).not.toContain('<');
  });

  it('logs failed operations with the request id and code, never the prompt', async () => {
    const gw = await start();
    const prompt = 'my very private prompt 8472';
    await postGraphQL(
      gw.url,
      'mutation ($input: ChatInput!) { chat(input: $input) { id } }',
      { input: { model: 'no/such-model', messages: [{ role: 'USER', content: prompt }] } },
      { headers: { 'x-request-id': 'trace-log-1' } },
    );
    const line = gw.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.requestId === 'trace-log-1');
    expect(line).toMatchObject({ msg: 'operation failed', errors: [{ code: 'MODEL_NOT_FOUND', path: 'chat' }] });
    expect(gw.logs.join('\n')).not.toContain(prompt);
  });

  it('serves a self-contained GraphiQL page that works offline and uses graphql-ws', async () => {
    const gw = await start();
    const response = await fetch(gw.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Switchboard');
    // Every script and stylesheet is inline: nothing is fetched from a CDN.
    expect(html).not.toMatch(/<script[^>]+src=["']?https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/i);
    expect(html).toMatch(/subscriptionsProtocol["']?\s*:\s*["']WS/);
    expect(html).toContain('chatStream');
  });
});

describe('graceful shutdown', () => {
  const slowLocal = `
server: { shutdownGraceMs: 3000 }
providers: [{ id: local, type: local, tokenDelayMs: 20 }]
`;

  it('lets in-flight streams finish within the grace period and refuses new work', async () => {
    const gw = await start(slowLocal);
    const input = { model: 'local/lorem', maxTokens: 10, messages: [{ role: 'USER' as const, content: 'go' }] };
    const sse = (async () => {
      const events = [];
      for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input })) events.push(result);
      return events;
    })();
    const client = createWsClient(gw.wsUrl);
    const wsEvents: unknown[] = [];
    const ws = new Promise<void>((resolve, reject) =>
      client.subscribe({ query: 'subscription ($input: ChatInput!) { chatStream(input: $input) { delta done } }', variables: { input } }, {
        next: (value) => wsEvents.push(value),
        error: reject,
        complete: resolve,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stopped = gw.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await fetch(`${gw.origin}/readyz`).catch(() => undefined))?.status ?? 503).toBe(503);

    const events = await sse;
    expect(events.at(-1)?.data?.chatStream.done).toBe(true);
    expect(events.map((event) => event.data?.chatStream.delta ?? '').join('').split(' ')).toHaveLength(10);
    await ws;
    expect(wsEvents.at(-1)).toMatchObject({ data: { chatStream: { done: true } } });
    await stopped;
    await client.dispose();
    await expect(fetch(`${gw.origin}/healthz`)).rejects.toThrow();
  });

  it('ends streams still running at the deadline with SHUTTING_DOWN', async () => {
    const gw = await start(`
server: { shutdownGraceMs: 100 }
providers: [{ id: local, type: local, tokenDelayMs: 50 }]
`);
    const input = { model: 'local/lorem', maxTokens: 1000, messages: [{ role: 'USER' as const, content: 'go' }] };
    const events: { errors?: readonly { extensions?: { code?: string } }[]; data?: unknown }[] = [];
    const sse = (async () => {
      for await (const result of subscribeSse(gw.url, ChatStreamDocument, { input })) events.push(result);
    })();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const started = Date.now();
    await gw.stop();
    await sse.catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)?.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
  });
});
