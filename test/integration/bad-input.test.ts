import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument } from '../../schema/generated/graphql.js';
import { createWsClient, postGraphQL, type GraphQLErrorShape } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway(`
server: { maxBodyBytes: 65536, maxDepth: 6 }
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
`);
});
afterAll(() => gw.stop());

const STACK_FRAME = /\bat .*\(?[\w/.-]+\.(ts|js|mjs):\d+/;

async function expectStillServing() {
  const { body } = await postGraphQL(gw.url, '{ models { id } }');
  expect(body.data).toBeTruthy();
}

function codes(errors: GraphQLErrorShape[] | undefined) {
  return (errors ?? []).map((error) => error.extensions?.code);
}

describe('bad input gets a clear error with a stable code', () => {
  it.each([
    {
      name: 'empty messages',
      input: { model: 'local/echo', messages: [] },
      code: 'BAD_USER_INPUT',
      message: /input\.messages: expected at least one message/,
    },
    {
      name: 'negative maxTokens',
      input: { model: 'local/echo', maxTokens: -5, messages: [{ role: 'USER', content: 'hi' }] },
      code: 'BAD_USER_INPUT',
      message: /input\.maxTokens/,
    },
    {
      name: 'temperature out of range',
      input: { model: 'local/echo', temperature: 7, messages: [{ role: 'USER', content: 'hi' }] },
      code: 'BAD_USER_INPUT',
      message: /input\.temperature: expected a number from 0 to 2, but got 7/,
    },
    {
      name: 'unknown model',
      input: { model: 'nope/never', messages: [{ role: 'USER', content: 'hi' }] },
      code: 'MODEL_NOT_FOUND',
      message: /No model or route "nope\/never"/,
    },
    {
      name: 'TOOL message without toolCallId',
      input: { model: 'local/echo', messages: [{ role: 'TOOL', content: '42' }] },
      code: 'BAD_USER_INPUT',
      message: /toolCallId/,
    },
  ])('$name → $code', async ({ input, code, message }) => {
    const { status, body } = await postGraphQL(gw.url, ChatDocument, { input } as never);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(codes(body.errors)).toEqual([code]);
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(JSON.stringify(body)).not.toMatch(STACK_FRAME);
    await expectStillServing();
  });

  it('an unknown role is refused before execution with HTTP 400', async () => {
    const { status, body } = await postGraphQL(gw.url, ChatDocument, {
      input: { model: 'local/echo', messages: [{ role: 'WIZARD', content: 'hi' }] },
    } as never);
    expect(status).toBe(400);
    expect(codes(body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/WIZARD/);
    const inline = await postGraphQL(gw.url, 'mutation { chat(input: {model: "local/echo", messages: [{role: WIZARD, content: "x"}]}) { id } }');
    expect(inline.status).toBe(400);
    expect(codes(inline.body.errors)).toEqual(['BAD_USER_INPUT']);
  });

  it('a syntax error and an unknown field are BAD_USER_INPUT (400)', async () => {
    for (const query of ['{ models { id ', '{ models { nonsense } }']) {
      const { status, body } = await postGraphQL(gw.url, query);
      expect(status).toBe(400);
      expect(codes(body.errors)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('a body that is not JSON is a 400, not a crash', async () => {
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(STACK_FRAME);
    await expectStillServing();
  });

  it('a body over maxBodyBytes is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const huge = 'x'.repeat(200_000);
    const { status, body } = await postGraphQL(gw.url, ChatDocument, {
      input: { model: 'local/echo', messages: [{ role: 'USER', content: huge }] },
    });
    expect(status).toBe(413);
    expect(codes(body.errors)).toEqual(['PAYLOAD_TOO_LARGE']);
    await expectStillServing();
  });

  it('a chunked body (no Content-Length) over the limit is refused too', async () => {
    const { origin } = gw;
    const result = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.write('{"query":"{ models { id } }","variables":{"pad":"');
      for (let index = 0; index < 10; index++) request.write('y'.repeat(10_000));
      request.end('"}}');
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    await expectStillServing();
  });

  it('operations deeper than maxDepth or costlier than maxCost are refused before execution', async () => {
    const deep = await postGraphQL(gw.url, '{ providers { models { id } } routes { targets { model } } }');
    expect(deep.body.errors).toBeUndefined();
    const fragments = 'fragment A on Provider { models { id } } query { providers { ...A } }';
    expect((await postGraphQL(gw.url, fragments)).body.errors).toBeUndefined();

    const aliases = Array.from({ length: 21 }, (_, index) => `c${index}: chat(input: $input) { id }`).join('\n');
    const costly = await postGraphQL(gw.url, `mutation ($input: ChatInput!) { ${aliases} }`, {
      input: { model: 'local/echo', messages: [{ role: 'USER', content: 'hi' }] },
    });
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(costly.body.errors?.[0]?.message).toMatch(/costs 1071/);
  });

  it('over graphql-ws, bad operations get the same codes and the socket stays usable', async () => {
    const client = createWsClient(gw.wsUrl);
    const failure = (query: string, variables?: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        const results: unknown[] = [];
        client.subscribe(
          { query, ...(variables ? { variables } : {}) },
          { next: (value) => results.push(value), error: resolve, complete: () => resolve(results) },
        );
      });
    const syntax = (await failure('subscription { chatStream(')) as GraphQLErrorShape[];
    expect(codes(syntax)).toEqual(['BAD_USER_INPUT']);
    // HTTP-only extensions stay on the server.
    expect(syntax[0]?.extensions).not.toHaveProperty('http');
    // Yoga caches the parse error by text: the same text over HTTP still gets its 400.
    const overHttp = await postGraphQL(gw.url, 'subscription { chatStream(');
    expect(overHttp.status).toBe(400);
    expect(codes(overHttp.body.errors)).toEqual(['BAD_USER_INPUT']);
    const unknownModel = (await failure('subscription ($input: ChatInput!) { chatStream(input: $input) { delta } }', {
      input: { model: 'missing/model', messages: [{ role: 'USER', content: 'hi' }] },
    })) as { errors?: GraphQLErrorShape[] }[] | GraphQLErrorShape[];
    const flattened = (unknownModel as unknown[]).flatMap((entry) =>
      entry && typeof entry === 'object' && 'errors' in entry ? ((entry as { errors: GraphQLErrorShape[] }).errors ?? []) : [entry as GraphQLErrorShape],
    );
    expect(codes(flattened)).toEqual(['MODEL_NOT_FOUND']);
    const ok = (await failure('{ models { id } }')) as { data?: { models: unknown[] } }[];
    expect(ok[0]?.data?.models.length).toBeGreaterThan(0);
    await client.dispose();
  });
});
