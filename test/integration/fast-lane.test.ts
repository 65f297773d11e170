import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/create-logger.js';
import { createAuthenticator } from '../../src/auth/create-authenticator.js';
import { createFastLane } from '../../src/server/fast-lane/create-fast-lane.js';
import { hasBody, readBody } from '../../src/server/read-body.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const KEY_LANE = 'sk-lane-0123456789abcdef';
const KEY_YOGA = 'sk-yoga-0123456789abcdef';

let gw: RunningGateway;
let lane: { url: string; server: Server; fellBack: string[] };
let yogaOnly: { url: string; server: Server };

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

beforeAll(async () => {
  gw = await startGateway(
    `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: lane, secret: "\${KEY_LANE}", scopes: [chat, models] }
    - { id: yoga, secret: "\${KEY_YOGA}", scopes: [chat, models] }
limits:
  fields: { "Mutation.chat": { max: 10, windowMs: 600000 } }
cache: { responses: { enabled: false } }
`,
    { KEY_LANE, KEY_YOGA },
  );
  const { yoga } = gw.gateway;
  // The same Yoga behind the lane (recording what is handed back to it) and bare, as the reference.
  const fellBack: string[] = [];
  const recorded = new Proxy(yoga, {
    get(target, property, receiver) {
      if (property !== 'fetch') return Reflect.get(target, property, receiver) as unknown;
      return (url: string, init: RequestInit) => {
        const { pathname, search } = new URL(url);
        fellBack.push(`${init.method} ${pathname}${search}`);
        return target.fetch(url, init);
      };
    },
  });
  const laneHandler = createFastLane({
    yoga: recorded,
    authenticator: createAuthenticator({ auth: gw.gateway.config.auth, keys: gw.gateway.stores.keys }),
    logger: createLogger({ level: 'silent' }), queries: true });
  // As the gateway's HTTP handler does: bodies are read first, requests without one go to Yoga.
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!hasBody(req)) {
      fellBack.push(`${req.method} ${req.url}`);
      return yoga(req, res);
    }
    return readBody(req, { maxBodyBytes: 65_536, requestTimeoutMs: 30_000 }).then((body) => laneHandler(req, res, body, {}));
  };
  lane = { ...(await listen(handler)), fellBack };
  yogaOnly = await listen(yoga);
});
afterAll(async () => {
  lane.server.close();
  yogaOnly.server.close();
  await gw.stop();
});

interface Answer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  retryAfter: string | null;
  allowOrigin: string | null;
  body: unknown;
}

async function ask(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-fixed-1', ...headers }, body });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    requestId: response.headers.get('x-request-id'),
    retryAfter: response.headers.get('retry-after'),
    allowOrigin: response.headers.get('access-control-allow-origin'),
    body: JSON.parse(text) as unknown,
  };
}

const chat = (model: string, content = 'hello lane') => JSON.stringify({ query: `mutation { chat(input: {model: "${model}", messages: [{role: USER, content: "${content}"}]}) { message { content } model } }` });
const bearer = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

describe('the JSON fast lane answers exactly as Yoga does', () => {
  it.each<{ name: string; body: string; headers: Record<string, string> }>([
    { name: 'a successful mutation', body: chat('local/echo'), headers: {} },
    { name: 'application/json accept', body: chat('local/echo'), headers: { accept: 'application/json' } },
    { name: "Apollo Client's accept", body: chat('local/echo'), headers: { accept: 'application/graphql-response+json,application/json;q=0.9' } },
    { name: 'a browser origin (CORS)', body: chat('local/echo'), headers: { origin: 'https://app.example' } },
    { name: 'an unknown model (resolver error)', body: chat('nope/never'), headers: {} },
    { name: 'bad input caught by a resolver', body: JSON.stringify({ query: 'mutation { chat(input: {model: "local/echo", messages: []}) { model } }' }), headers: {} },
    {
      name: 'variables that do not coerce',
      body: JSON.stringify({ query: 'mutation ($t: Float) { chat(input: {model: "local/echo", temperature: $t, messages: [{role: USER, content: "x"}]}) { model } }', variables: { t: 'hot' } }),
      headers: {},
    },
    { name: 'a validation error', body: JSON.stringify({ query: 'mutation { chat(input: {model: "local/echo", messages: []}) { nonsense } }' }), headers: {} },
    { name: 'a syntax error', body: JSON.stringify({ query: 'mutation { chat(' }), headers: {} },
    { name: 'a query', body: JSON.stringify({ query: '{ models { id } }' }), headers: {} },
    { name: 'an operationName that matches nothing', body: JSON.stringify({ query: '{ models { id } }', operationName: 'Nope' }), headers: {} },
    { name: 'invalid JSON', body: '{"query": ', headers: {} },
    { name: 'a persisted-query extension', body: JSON.stringify({ query: '{ models { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }), headers: {} },
  ])('$name', async ({ body, headers }) => {
    // The caller is authenticated with a key in both, so each side has its own rate-limit budget.
    const viaLane = await ask(lane.url, body, bearer(KEY_LANE, headers));
    const viaYoga = await ask(yogaOnly.url, body, bearer(KEY_YOGA, headers));
    expect(viaLane).toEqual(viaYoga);
  });

  it('answers a bad credential (401) and a refused rate limit (429 + Retry-After) as Yoga does', async () => {
    const anonymous = [await ask(lane.url, chat('local/echo'), { authorization: 'Bearer sk-wrong' }), await ask(yogaOnly.url, chat('local/echo'), { authorization: 'Bearer sk-wrong' })];
    expect(anonymous[0]?.status).toBe(401);
    expect(anonymous[0]).toEqual(anonymous[1]);
    // The limit is 10 per caller and the cases above used fewer: exhaust it on both sides.
    let laneAnswer: Answer | undefined;
    let yogaAnswer: Answer | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      laneAnswer = await ask(lane.url, chat('local/echo'), bearer(KEY_LANE));
      yogaAnswer = await ask(yogaOnly.url, chat('local/echo'), bearer(KEY_YOGA));
    }
    expect(laneAnswer?.status).toBe(429);
    expect(laneAnswer?.retryAfter).toMatch(/^\d+$/);
    // The two keys started their windows a few milliseconds apart: compare all but the seconds to wait.
    const withoutSeconds = (answer: Answer | undefined) => JSON.parse(JSON.stringify(answer).replace(/"retryAfter(Seconds)?":"?\d+"?/g, '"retryAfter$1":0').replace(/Retry in \d+ s/g, 'Retry in N s')) as unknown;
    expect(withoutSeconds(laneAnswer)).toEqual(withoutSeconds(yogaAnswer));
  });

  it.each<{ name: string; query: string; key?: string }>([
    { name: 'a stream', query: 'subscription { chatStream(input: {model: "local/lorem", maxTokens: 6, messages: [{role: USER, content: "x"}]}) { delta done finishReason } }' },
    { name: 'a stream that fails at once', query: 'subscription { chatStream(input: {model: "nope/never", messages: [{role: USER, content: "x"}]}) { delta } }' },
    { name: 'a subscription that does not validate', query: 'subscription { chatStream(input: {model: "local/echo", messages: []}) { nonsense } }' },
    { name: 'a bad credential', query: 'subscription { chatStream(input: {model: "local/echo", messages: [{role: USER, content: "x"}]}) { delta } }', key: 'sk-wrong' },
  ])('over SSE: $name', async ({ query, key }) => {
    const sse = async (url: string, ownKey: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': 'req-fixed-2', authorization: `Bearer ${key ?? ownKey}` },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), text: await response.text() };
    };
    const viaLane = await sse(lane.url, KEY_LANE);
    expect(viaLane.text).toMatch(/^:\n\n(event: next\ndata: .+\n\n)+event: complete\ndata:\n\n$/);
    expect(viaLane).toEqual(await sse(yogaOnly.url, KEY_YOGA));
  });

  it('takes plain operations itself and hands everything else to Yoga', async () => {
    lane.fellBack.length = 0;
    await ask(lane.url, JSON.stringify({ query: '{ models { id } }' }), bearer(KEY_LANE));
    expect(lane.fellBack).toEqual([]);
    const multipart = await fetch(lane.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'multipart/mixed', ...bearer(KEY_LANE) }, body: JSON.stringify({ query: '{ models { id } }' }) });
    expect(multipart.headers.get('content-type')).toMatch(/^multipart\/mixed/);
    await multipart.text();
    await fetch(`${lane.url}?query=%7Bmodels%7Bid%7D%7D`, { headers: bearer(KEY_LANE) });
    expect(lane.fellBack).toEqual(['POST /graphql', 'GET /graphql?query=%7Bmodels%7Bid%7D%7D']);
  });
});
