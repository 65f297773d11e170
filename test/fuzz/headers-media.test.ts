import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblems } from './check-answer.js';
import { BOUND_MS, fuzz, FUZZ_TEST_TIMEOUT_MS, type Examined } from './fuzz-budget.js';
import { watchBatches } from './watch-batches.js';
import { captureConsole, gatewayHeap, healthy, SECRETS, send, startFuzzRig, type FuzzRig } from './fuzz-rig.js';
import { graphqlBody } from './graphql-arbitraries.js';

/*
 * Odd requests at the HTTP layer: methods, paths, Authorization values (empty, unicode,
 * huge, JWT-shaped garbage), huge headers, content types and charsets, and bodies sent
 * chunked in many pieces, url-encoded, multipart or over the size limit.
 */

const MAX_BODY = 262_144;
const HEAP_GROWTH_BOUND = 48 * 1024 * 1024;

let rig: FuzzRig;
let heapBefore = 0;
const consoleOutput = captureConsole();
const batch = watchBatches(() => rig, consoleOutput);

beforeAll(async () => {
  rig = await startFuzzRig({ maxBodyBytes: MAX_BODY });
  // GraphiQL's page is built on the first visit and kept (~35 MB of heap, by design): not part of the growth.
  await send(rig.gw.origin, { method: 'GET', path: '/graphql', headers: { accept: 'text/html' } });
  heapBefore = gatewayHeap(rig);
  batch.begin();
});
afterAll(async () => {
  consoleOutput.restore();
  await rig?.stop();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fakeJwt = (header: unknown, claims: unknown, signature: string) => `${b64url(header)}.${b64url(claims)}.${signature}`;

const authorizationArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(`Bearer ${SECRETS.userKey}`),
  fc.constant(`Bearer ${SECRETS.userKey}`),
  fc.constantFrom('', 'Bearer', 'Bearer ', 'bearer ' + SECRETS.userKey, `Bearer  ${SECRETS.userKey}`, `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer sbk_', 'Bearer null', `Bearer ${SECRETS.userKey}x`, 'Bearer a.b.c', 'Bearer ..'),
  fc.record({ alg: fc.constantFrom('none', 'HS256', 'RS256', 'HS512', ''), claims: fc.jsonValue({ maxDepth: 2 }), signature: fc.constantFrom('', 'sig', 'AAAA') }).map(({ alg, claims, signature }) => `Bearer ${fakeJwt({ alg, typ: 'JWT' }, claims, signature)}`),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => `Bearer ${text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')}`),
  fc.integer({ min: 100, max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((text) => `Bearer ${Buffer.from(text, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')}`),
);

const contentTypeArb = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json; charset=nonsense',
    'application/json;;;',
    'APPLICATION/JSON',
    'application/graphql',
    'application/graphql+json',
    'application/graphql-response+json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=fuzz',
    'multipart/form-data',
    'text/plain',
    'text/event-stream',
    'application/octet-stream',
    '*/*',
    '',
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((text) => text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')),
);

type BodyRecipe =
  | { kind: 'none' }
  | { kind: 'graphql'; document: string }
  | { kind: 'chat-json' }
  | { kind: 'form'; document: string }
  | { kind: 'multipart'; document: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'utf16'; document: string }
  | { kind: 'over-limit'; factor: number };

const DOCUMENTS = ['{ models { id } }', 'mutation { chat(input: { model: "mock/gpt", messages: [{ role: USER, content: "hi" }] }) { id } }', '{ viewer { keyId } }', '{', ''];
const bodyArb: fc.Arbitrary<BodyRecipe> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('graphql' as const), document: fc.constantFrom(...DOCUMENTS) }),
  fc.constant({ kind: 'chat-json' as const }),
  fc.record({ kind: fc.constant('form' as const), document: fc.constantFrom(...DOCUMENTS) }),
  fc.record({ kind: fc.constant('multipart' as const), document: fc.constantFrom(...DOCUMENTS) }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('utf16' as const), document: fc.constantFrom(...DOCUMENTS) }),
  fc.record({ kind: fc.constant('over-limit' as const), factor: fc.integer({ min: 1, max: 12 }) }),
);

function bodyBytes(recipe: BodyRecipe): Buffer | undefined {
  switch (recipe.kind) {
    case 'none':
      return undefined;
    case 'graphql':
      return Buffer.from(graphqlBody(recipe.document, undefined));
    case 'chat-json':
      return Buffer.from(JSON.stringify({ model: 'mock/gpt', messages: [{ role: 'user', content: 'hi' }] }));
    case 'form':
      return Buffer.from(new URLSearchParams({ query: recipe.document }).toString());
    case 'multipart':
      return Buffer.from(`--fuzz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${graphqlBody(recipe.document, undefined)}\r\n--fuzz--\r\n`);
    case 'bytes':
      return Buffer.from(recipe.bytes);
    case 'utf16':
      return Buffer.from(graphqlBody(recipe.document, undefined), 'utf16le');
    case 'over-limit':
      // Over the limit once decoded as JSON, a form, multipart or text alike.
      return Buffer.from(`{"query":"{ __typename }","x":"${'x'.repeat(MAX_BODY * recipe.factor)}"}`);
  }
}

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'),
  path: fc.constantFrom('/graphql', '/graphql', '/graphql?query=%7B__typename%7D', '/v1/chat/completions', '/v1/embeddings', '/v1/models', '/v1/models/mock%2Fgpt', '/healthz', '/readyz', '/metrics', '/', '/v1/', '//graphql', '/graphql/../v1/models', '/%', '/v1/%ZZ', '/graphql?query=%E0%A4%A'),
  authorization: authorizationArb,
  apiKeyHeader: fc.option(fc.constantFrom(SECRETS.userKey, '', 'x'), { freq: 8 }),
  contentType: fc.option(contentTypeArb, { freq: 6 }),
  accept: fc.option(fc.constantFrom('application/json', 'text/event-stream', 'multipart/mixed', 'text/html', 'application/graphql-response+json; charset=utf-16', '*/*;q=0', 'x'), { freq: 3 }),
  origin: fc.option(fc.constantFrom('null', 'https://evil.example', 'http://localhost:3000'), { freq: 3 }),
  contentEncoding: fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'nonsense'), { freq: 8 }),
  bigHeader: fc.option(fc.integer({ min: 1_000, max: 40_000 }), { freq: 6 }),
  body: bodyArb,
  chunks: fc.option(fc.integer({ min: 2, max: 40 }), { freq: 2 }),
});

/** The body split into `count` writes (sent with Transfer-Encoding: chunked). */
function split(body: Buffer, count: number): Buffer[] {
  const size = Math.max(1, Math.ceil(body.length / count));
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += size) pieces.push(body.subarray(offset, offset + size));
  return pieces.length > 0 ? pieces : [Buffer.alloc(0)];
}

describe('fuzz: headers, methods and media types', () => {
  it('every request gets a named outcome within its bound', async () => {
    batch.begin();
    await fuzz(
      'http/headers-media',
      requestArb,
      async (request): Promise<Examined> => {
        const headers: Record<string, string> = {};
        if (request.authorization !== undefined) headers.authorization = request.authorization;
        if (request.apiKeyHeader !== null) headers['x-api-key'] = request.apiKeyHeader;
        if (request.contentType !== null) headers['content-type'] = request.contentType;
        if (request.accept !== null) headers.accept = request.accept;
        if (request.origin !== null) headers.origin = request.origin;
        if (request.contentEncoding !== null) headers['content-encoding'] = request.contentEncoding;
        if (request.bigHeader !== null) headers['x-fuzz-padding'] = 'p'.repeat(request.bigHeader);
        const body = bodyBytes(request.body);
        const answer = await send(rig.gw.origin, {
          method: request.method,
          path: request.path,
          headers,
          ...(body ? { body: request.chunks !== null ? split(body, request.chunks) : body } : {}),
        });
        // The server may cut a refused upload short (413 sent, the rest of the body not read).
        const refusedUpload = request.body.kind === 'over-limit' || (request.bigHeader ?? 0) > 14_000;
        return { problems: answerProblems(answer, { boundMs: BOUND_MS, allowNoResponse: refusedUpload }), ms: answer.ms };
      },
      600,
    );
    await batch.expectClean();
  }, FUZZ_TEST_TIMEOUT_MS);

  it('memory stays bounded and the gateway healthy after the run', async () => {
    const growth = gatewayHeap(rig) - heapBefore;
    expect(growth, `heap grew ${Math.round(growth / 1024 / 1024)} MB after GC`).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(await healthy(rig.gw)).toBe(true);
  });
});
