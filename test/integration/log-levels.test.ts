import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway } from '../helpers/start-gateway.js';
import { startWireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

const KEY = 'sk-logs-0123456789abcdef';
const STREAM = 'subscription { chatStream(input: {model: "local/lorem", maxTokens: 400, messages: [{role: USER, content: "x"}]}) { delta } }';
const CHAT = 'mutation { chat(input: {model: "local/echo", messages: [{role: USER, content: "x"}]}) { id } }';

interface LogLine {
  level: number;
  msg: string;
  kind?: string;
  suppressed?: number;
}

const json = { 'content-type': 'application/json' };
const sse = { ...json, accept: 'text/event-stream' };

/** A graphql-ws connection with a bad credential: resolves when the server closes it. */
function refusedSocket(url: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer sk-wrong' } })));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/** Opens a stream, reads its first bytes, and goes away. */
async function disconnect(request: () => Promise<Response>, controller: AbortController): Promise<void> {
  const response = await request();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  await reader.read();
  controller.abort();
  await reader.cancel().catch(() => undefined);
}

describe('log levels: callers cannot fill the error log', () => {
  it('refused credentials, rate-limit refusals and disconnects log below error, without stacks, rate-limited', async () => {
    const gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 20 }]
auth: { keys: [{ id: k, secret: "\${KEY}", scopes: [chat, models], limits: { requestsPerMinute: 20 } }] }
`,
      { KEY },
    );
    const bad = { authorization: 'Bearer sk-wrong' };
    const good = { authorization: `Bearer ${KEY}` };
    const drain = async (response: Promise<Response>) => void (await (await response).arrayBuffer());
    for (let round = 0; round < 20; round++) {
      await Promise.all([
        drain(fetch(gw.url, { method: 'POST', headers: { ...json, ...bad }, body: JSON.stringify({ query: '{ models { id } }' }) })),
        drain(fetch(gw.url, { method: 'POST', headers: { ...sse, ...bad }, body: JSON.stringify({ query: STREAM }) })),
        drain(fetch(`${gw.url}?query=${encodeURIComponent(STREAM)}`, { headers: { accept: 'text/event-stream', ...bad } })),
        drain(fetch(`${gw.origin}/v1/models`, { headers: bad })),
        refusedSocket(gw.wsUrl),
      ]);
    }
    // Streams the client leaves mid-way, over the fast lane and Yoga's SSE path (10 of the 20 allowed requests).
    for (let round = 0; round < 5; round++) {
      const lane = new AbortController();
      await disconnect(() => fetch(gw.url, { method: 'POST', signal: lane.signal, headers: { ...sse, ...good }, body: JSON.stringify({ query: STREAM }) }), lane);
      const yoga = new AbortController();
      await disconnect(() => fetch(`${gw.url}?query=${encodeURIComponent(STREAM)}`, { signal: yoga.signal, headers: { accept: 'text/event-stream', ...good } }), yoga);
    }
    // Then 100 requests over the limit (10 more are admitted first).
    for (let round = 0; round < 110; round++) {
      await drain(fetch(gw.url, { method: 'POST', headers: { ...json, ...good }, body: JSON.stringify({ query: CHAT }) }));
    }
    await gw.stop();

    const lines = gw.logs.map((line) => JSON.parse(line) as LogLine);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(gw.logs.filter((line) => line.includes('"stack"'))).toEqual([]);
    // Per kind, at most the interval's budget of lines (20), then one line with the count of the rest.
    const byKind = new Map<string, number>();
    for (const line of lines) if (line.kind && line.suppressed === undefined) byKind.set(line.kind, (byKind.get(line.kind) ?? 0) + 1);
    expect(Math.max(...byKind.values())).toBeLessThanOrEqual(20);
    expect(byKind.get('refused:UNAUTHENTICATED')).toBe(20);
    expect(byKind.get('operation-refused')).toBe(20);
    const suppressed = lines.filter((line) => line.suppressed !== undefined);
    expect(suppressed.find((line) => line.kind === 'operation-refused')?.suppressed).toBe(80);
    // Everything else the gateway wrote: start-up, per-operation debug lines, audit — bounded by what was admitted.
    expect(lines.filter((line) => line.level >= 40).length).toBeLessThanOrEqual(byKind.size * 21);
  }, 60_000);
});

describe('log levels: a client that leaves a mutation', () => {
  it('is neither logged nor counted as a gateway failure (no warn, no INTERNAL_SERVER_ERROR, outcome cancelled)', async () => {
    const mock = await startWireMock(openaiFormat);
    mock.script({ kind: 'text', chunks: ['late'], usage: { promptTokens: 1, completionTokens: 1 }, delays: { beforeHeadersMs: 2_000 } });
    const gw = await startGateway(`
providers: [{ id: mock, type: openai, baseUrl: "${mock.origin}/v1", apiKey: sk-test }]
models: [{ provider: mock, upstream: gpt }]
`);
    const chat = 'mutation { chat(input: {model: "mock/gpt", messages: [{role: USER, content: "x"}]}) { message { content } } }';
    const leave = async () => {
      const controller = new AbortController();
      const answer = fetch(gw.url, { method: 'POST', signal: controller.signal, headers: json, body: JSON.stringify({ query: chat }) });
      await new Promise((resolve) => setTimeout(resolve, 150));
      controller.abort();
      await answer.catch(() => undefined);
    };
    await Promise.all(Array.from({ length: 30 }, leave));
    await mock.waitForAborts(30);
    const metrics = await (await fetch(`${gw.origin}/metrics`)).text();
    await gw.stop();
    await mock.close();

    const lines = gw.logs.map((line) => JSON.parse(line) as LogLine);
    const audited = lines.filter((line) => line.msg === 'completion');
    expect(audited.map((line) => JSON.stringify(line).includes('"outcome":"cancelled"'))).toEqual(Array.from({ length: 30 }, () => true));
    expect(lines.filter((line) => line.level >= 40 && !line.msg.startsWith('not durable'))).toEqual([]);
    expect(gw.logs.filter((line) => line.includes('INTERNAL_SERVER_ERROR'))).toEqual([]);
    // Nor counted as an error: alerts on the error rate stay quiet.
    expect(metrics).toContain('switchboard_graphql_operations_total{type="mutation",operation="anonymous",outcome="cancelled"} 30');
    expect(metrics).not.toContain('outcome="error"');
  }, 30_000);
});
