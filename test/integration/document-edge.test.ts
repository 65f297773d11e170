import { request as httpRequest } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collectWs, createWsClient, postGraphQL, type GraphQLErrorShape } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/**
 * The GraphQL document edge, through the real server on every transport: authentication before
 * parse and validation, token and nesting bounds, stack overflows as the caller's error, and
 * introspection for authorized callers (with its own bound, and off when configured).
 */
const ADMIN_KEY = 'sbk_edge-admin-secret-0123456789abcdef';
const USER_KEY = 'sbk_edge-user-secret-0123456789abcdef';
const STACK_FRAME = /\bat .*\(?[\w/.-]+\.(ts|js|mjs):\d+/;
const INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
/** The reproduction: 1 MB of repeated directives on one field. */
const HUGE_DOCUMENT = `{ models ${'@include(if: true) '.repeat(55_000)}{ id } }`;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const codes = (errors: GraphQLErrorShape[] | undefined) => (errors ?? []).map((error) => error.extensions?.code);

interface Answer {
  status: number;
  body: { data?: unknown; errors?: GraphQLErrorShape[] };
  text: string;
}

/** Asks for GraphQL-over-HTTP's media type, whose request errors answer 4xx (application/json answers them 200). */
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
/** A payload as JSON text (deep values are written by hand: JSON.stringify would overflow the test's own stack). */
const bodyOf = (payload: unknown) => (typeof payload === 'string' ? payload : JSON.stringify(payload));

/** A POST with a chunked body (no Content-Length): the fast lane leaves these to Yoga. */
function postChunked(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'], text }));
    });
    req.on('error', reject);
    const body = bodyOf(payload);
    // Two writes: a chunked transfer, not one with a length.
    req.write(body.slice(0, 10));
    req.end(body.slice(10));
  });
}

/** A POST through the fast lane (JSON with a Content-Length), answered as JSON or SSE. */
async function post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: bodyOf(payload) });
  const text = await response.text();
  const json = headers.accept === 'text/event-stream' ? (text.match(/^data: (.*)$/m)?.[1] ?? text) : text;
  return { status: response.status, body: JSON.parse(json) as Answer['body'], text };
}

interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A bare graphql-transport-ws connection, acknowledged; `operation` resolves with its messages up to `complete` or `error`. */
async function openRawWs(url: string, connectionParams: Record<string, unknown>) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const waiting = new Map<string, { messages: WsMessage[]; done: (messages: WsMessage[]) => void }>();
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`closed with ${code}`)));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WsMessage;
      if (message.type === 'connection_ack') resolve();
      const pending = message.id === undefined ? undefined : waiting.get(message.id);
      if (!pending) return;
      pending.messages.push(message);
      if (message.type === 'complete' || message.type === 'error') pending.done(pending.messages);
    });
  });
  return {
    operation(id: string, payload: Record<string, unknown>): Promise<WsMessage[]> {
      return new Promise((done) => {
        waiting.set(id, { messages: [], done });
        socket.send(JSON.stringify({ type: 'subscribe', id, payload }));
      });
    },
    close: () => socket.close(),
  };
}

/** One operation over a bare graphql-transport-ws socket, its payload sent as given; resolves with every message until it ends. */
function rawWsOperation(url: string, payloadJson: string): Promise<{ type: string; payload?: unknown }[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const messages: { type: string; payload?: unknown }[] = [];
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      messages.push(message);
      if (message.type === 'connection_ack') socket.send(`{"type":"subscribe","id":"1","payload":${payloadJson}}`);
      if (message.type === 'complete' || message.type === 'error') socket.close();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(messages));
  });
}

function errorLogs(gw: RunningGateway): string[] {
  return gw.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}

describe('with keys configured', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: admin, secret: "\${ADMIN}", scopes: [admin, chat, models] }
    - { id: user, secret: "\${USER}", scopes: [chat, models] }
`,
      { ADMIN: ADMIN_KEY, USER: USER_KEY },
    );
  });
  afterAll(() => gw.stop());

  describe('anonymous callers are refused before parse and validation, and learn nothing about the schema', () => {
    const invalid = { query: '{ modelz { id } }' };
    const expectRefused = (answer: Answer) => {
      expect(answer.status).toBe(401);
      expect(codes(answer.body.errors)).toEqual(['UNAUTHENTICATED']);
      expect(answer.text).not.toMatch(/Did you mean|models|modelz|Syntax Error/);
    };

    it('over the JSON fast lane', async () => expectRefused(await post(gw.url, invalid)));
    it('over Yoga (chunked body)', async () => expectRefused(await postChunked(gw.url, invalid)));
    it('over Yoga (GET)', async () => {
      const response = await fetch(`${gw.url}?query=${encodeURIComponent('{ createApiKy }')}`, { headers: { accept: 'application/json' } });
      const text = await response.text();
      expectRefused({ status: response.status, body: JSON.parse(text) as Answer['body'], text });
    });
    it('over SSE', async () => {
      expectRefused(await post(gw.url, { query: 'subscription { chatStreem { delta } }' }, { accept: 'text/event-stream' }));
    });
    it('a syntax error is not even looked at', async () => expectRefused(await post(gw.url, { query: '{ models {' })));
    it('a wrong key gets the same answer', async () => expectRefused(await post(gw.url, invalid, bearer('sbk_wrong-0123456789abcdef0123'))));
    it('a 1 MB document costs no parse', async () => expectRefused(await post(gw.url, { query: HUGE_DOCUMENT })));

    it('over graphql-ws: a revoked key gets UNAUTHENTICATED for an invalid document, not its validation errors', async () => {
      const created = await postGraphQL(
        gw.url,
        'mutation { createApiKey(input: { id: "ws-edge", scopes: [MODELS] }) { secret } }',
        undefined,
        { headers: bearer(ADMIN_KEY) },
      );
      const secret = (created.body.data as { createApiKey: { secret: string } }).createApiKey.secret;
      // One connection throughout (a graphql-ws client would reconnect, and be refused at connection_init).
      const socket = await openRawWs(gw.wsUrl, { authorization: `Bearer ${secret}` });
      try {
        const first = await socket.operation('1', { query: '{ models { id } }' });
        expect(first[0]?.type).toBe('next');
        await postGraphQL(gw.url, 'mutation { revokeApiKey(id: "ws-edge") { id } }', undefined, { headers: bearer(ADMIN_KEY) });
        const [refused] = await socket.operation('2', { query: '{ modelz { id } }' });
        expect(refused?.type).toBe('error');
        expect(codes(refused?.payload as GraphQLErrorShape[])).toEqual(['UNAUTHENTICATED']);
        expect(JSON.stringify(refused)).not.toMatch(/Did you mean|modelz/);
      } finally {
        socket.close();
      }
    });
  });

  it('authorized callers still get suggestions', async () => {
    const answer = await post(gw.url, { query: '{ modelz { id } }' }, bearer(USER_KEY));
    expect(answer.status).toBe(400);
    expect(codes(answer.body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(answer.text).toMatch(/Did you mean .*models/);
  });

  it('an authorized 1 MB document is refused at the token limit, on every transport', async () => {
    for (const answer of [await post(gw.url, { query: HUGE_DOCUMENT }, bearer(USER_KEY)), await postChunked(gw.url, { query: HUGE_DOCUMENT }, bearer(USER_KEY))]) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({
          message: 'The document has more than 10000 tokens; this gateway allows 10000 (server.maxTokens).',
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', limit: 'maxTokens' }),
        }),
      ]);
    }
    const client = createWsClient(gw.wsUrl, bearer(USER_KEY));
    try {
      const refused = await collectWs(client, HUGE_DOCUMENT).then(
        () => undefined,
        (error: unknown) => error as GraphQLErrorShape[],
      );
      expect(refused?.map((error) => [error.extensions?.code, error.extensions?.limit])).toEqual([['BAD_USER_INPUT', 'maxTokens']]);
    } finally {
      await client.dispose();
    }
    expect(errorLogs(gw)).toEqual([]);
  });

  it('the standard introspection query works for an authorized caller', async () => {
    const answer = await post(gw.url, { query: INTROSPECTION }, bearer(USER_KEY));
    expect(answer.body.errors).toBeUndefined();
    const schema = (answer.body.data as { __schema: { queryType: { name: string }; types: { name: string }[] } }).__schema;
    expect(schema.queryType.name).toBe('Query');
    expect(schema.types.map((type) => type.name)).toEqual(expect.arrayContaining(['ChatInput', 'Mutation', 'Subscription']));
  });
});

describe('deep input (open mode, token limit raised so that nesting itself is what is bounded)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway('server: { maxTokens: 1000000, maxBodyBytes: 8388608 }\nproviders: [{ id: local, type: local, tokenDelayMs: 0 }]\n');
  });
  afterAll(() => gw.stop());

  const deepList = (levels: number) => `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;
  const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const TOOLS_QUERY = (parameters: string) =>
    `mutation { chat(input: { model: "local/echo", messages: [{ role: USER, content: "hi" }], tools: [{ name: "t", parameters: ${parameters} }] }) { id } }`;

  const expectBadInput = (answer: Answer) => {
    expect(answer.status).toBe(400);
    expect(codes(answer.body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(answer.text).not.toMatch(STACK_FRAME);
  };

  it.each([
    ['a 5,000-level nested list argument', `{ model(id: ${deepList(5_000)}) { id } }`],
    ['a 5,000-level nested object argument (JSON scalar)', TOOLS_QUERY(`${'{ a: '.repeat(5_000)}1${' }'.repeat(5_000)}`)],
    ['a 3,000-level nested selection set', `{ ${'models { '.repeat(3_000)}id${' }'.repeat(3_000)} }`],
  ])('%s → BAD_USER_INPUT on the fast lane, through Yoga and over graphql-ws', async (_name, query) => {
    expectBadInput(await post(gw.url, { query }));
    expectBadInput(await postChunked(gw.url, { query }));
    const messages = await rawWsOperation(gw.wsUrl, JSON.stringify({ query }));
    expect(messages.at(-1)?.type).toBe('error');
    expect(codes(messages.at(-1)?.payload as GraphQLErrorShape[])).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(messages)).not.toMatch(STACK_FRAME);
    expect(errorLogs(gw)).toEqual([]);
  });

  it('a 100,000-level nested JSON variable → BAD_USER_INPUT on every transport', async () => {
    const query = 'mutation ($p: JSON) { chat(input: { model: "local/echo", messages: [{ role: USER, content: "hi" }], tools: [{ name: "t", parameters: $p }] }) { id } }';
    const payload = `{"query":${JSON.stringify(query)},"variables":{"p":${deepJson(100_000)}}}`;
    expectBadInput(await post(gw.url, payload));
    expectBadInput(await postChunked(gw.url, payload));
    const messages = await rawWsOperation(gw.wsUrl, payload);
    const answer = messages.find((message) => message.type === 'next' || message.type === 'error');
    const errors = (answer?.type === 'next' ? (answer.payload as { errors?: GraphQLErrorShape[] }).errors : answer?.payload) as GraphQLErrorShape[] | undefined;
    expect(codes(errors)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(messages)).not.toMatch(STACK_FRAME);
    expect(errorLogs(gw)).toEqual([]);
  });

  it('still serves afterwards', async () => {
    const answer = await post(gw.url, { query: '{ models { id } }' });
    expect(answer.status).toBe(200);
  });
});

describe('introspection', () => {
  it('is exempt from maxDepth/maxCost but has its own bound', async () => {
    const gw = await startGateway('server: { maxDepth: 3, maxCost: 20 }\nproviders: [{ id: local, type: local, tokenDelayMs: 0 }]\n');
    try {
      const full = await post(gw.url, { query: INTROSPECTION });
      expect(full.body.errors).toBeUndefined();
      expect(full.status).toBe(200);
      const aliases = Array.from({ length: 250 }, (_, index) => `a${index}: __schema { types { name fields { name args { name } type { name ofType { name } } } } }`);
      const costly = await post(gw.url, { query: `{ ${aliases.join(' ')} }` });
      expect(costly.status).toBe(400);
      expect(costly.body.errors?.map((error) => error.extensions?.limit)).toContain('maxIntrospectionCost');
      const ofTypes = `{ __type(name: "Query") { ${'ofType { '.repeat(25)}name${' }'.repeat(25)} } }`;
      const deep = await post(gw.url, { query: ofTypes });
      expect(deep.body.errors?.map((error) => error.extensions?.limit)).toContain('maxIntrospectionDepth');
      const nested = await post(gw.url, { query: '{ __type(name: "Query") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }' });
      expect(nested.status).toBe(400);
      expect(nested.text).toMatch(/introspection/i);
      // Outside introspection, the limits stand.
      const tooDeep = await post(gw.url, { query: '{ providers { models { pricing { input } } } }' });
      expect(tooDeep.body.errors?.map((error) => error.extensions?.limit)).toEqual(['maxDepth']);
    } finally {
      await gw.stop();
    }
  });

  it('server.introspection: false refuses it, and validation gives no hints', async () => {
    const gw = await startGateway('server: { introspection: false }\nproviders: [{ id: local, type: local, tokenDelayMs: 0 }]\n');
    try {
      for (const query of [INTROSPECTION, '{ __type(name: "ChatInput") { name } }']) {
        const answer = await post(gw.url, { query });
        expect(answer.status).toBe(400);
        expect(new Set(codes(answer.body.errors))).toEqual(new Set(['BAD_USER_INPUT']));
        expect(answer.body.errors?.[0]?.message).toMatch(/introspection has been disabled/);
      }
      const typo = await post(gw.url, { query: '{ modelz { id } }' });
      expect(typo.status).toBe(400);
      expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "modelz" on type "Query".');
      const typename = await post(gw.url, { query: '{ __typename models { id } }' });
      expect(typename.body.errors).toBeUndefined();
    } finally {
      await gw.stop();
    }
  });
});
