import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblems } from './check-answer.js';
import { BOUND_MS, fuzz, FUZZ_TEST_TIMEOUT_MS, type Examined } from './fuzz-budget.js';
import { watchBatches } from './watch-batches.js';
import { captureConsole, gatewayHeap, healthy, SECRETS, send, startFuzzRig, type FuzzRig } from './fuzz-rig.js';
import { documentArb, documentText, graphqlBody, variablesArb, variablesText } from './graphql-arbitraries.js';

/*
 * Generated GraphQL documents and variables against the running gateway over HTTP:
 * deep, wide, huge, malformed, many aliases/directives/fragments, unicode; variables deep,
 * huge and of the wrong type. Authorized callers get a named outcome in time; anonymous
 * callers get 401 and learn nothing about the schema (authentication before parsing).
 */

const MAX_BODY = 1_048_576;
/** Heap the run may keep after a full GC: caches are bounded, a retained 1 MB document is ~80 MB. */
const HEAP_GROWTH_BOUND = 48 * 1024 * 1024;
/** What only a parsed or validated document can tell a caller. */
const SCHEMA_HINTS = /Did you mean|Cannot query field|Unknown argument|Unknown type|on type "|Syntax Error/;

let rig: FuzzRig;
let heapBefore = 0;
const consoleOutput = captureConsole();
const batch = watchBatches(() => rig, consoleOutput);

beforeAll(async () => {
  rig = await startFuzzRig({ maxBodyBytes: MAX_BODY });
  // Warm the lazily built parts (schema caches, JIT) before the baseline.
  for (let index = 0; index < 20; index++) await post('{ models { id } }', undefined, SECRETS.userKey);
  heapBefore = gatewayHeap(rig);
});
afterAll(async () => {
  consoleOutput.restore();
  await rig?.stop();
});

const acceptArb = fc.constantFrom('application/json', 'application/graphql-response+json', 'text/event-stream', 'multipart/mixed', '*/*', '');

function post(document: string, variables: string | undefined, key: string | undefined, accept = 'application/json') {
  return send(rig.gw.origin, {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: Buffer.from(graphqlBody(document, variables)),
  });
}


describe('fuzz: GraphQL documents and variables over HTTP', () => {
  it('authorized: every document gets a named outcome within its bound', async () => {
    batch.begin();
    await fuzz(
      'graphql-documents/authorized',
      fc.record({ document: documentArb, variables: variablesArb, accept: acceptArb }),
      async ({ document, variables, accept }): Promise<Examined> => {
        const answer = await post(documentText(document, MAX_BODY), variablesText(variables), SECRETS.userKey, accept);
        return { problems: answerProblems(answer, { boundMs: BOUND_MS }), ms: answer.ms };
      },
      500,
    );
    await batch.expectClean();
  }, FUZZ_TEST_TIMEOUT_MS);

  it('anonymous: 401 before any GraphQL parsing (400/413 only for the HTTP body), no schema hints', async () => {
    batch.begin();
    await fuzz(
      'graphql-documents/anonymous',
      fc.record({ document: documentArb, variables: variablesArb }),
      async ({ document, variables }): Promise<Examined> => {
        const answer = await post(documentText(document, MAX_BODY), variablesText(variables), undefined);
        const problems = answerProblems(answer, { boundMs: BOUND_MS });
        // 401 before anything is parsed; 413 and a 400 for a body that is not JSON are about the HTTP body, not the schema.
        if (![400, 401, 413].includes(answer.status)) problems.push(`anonymous caller got HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
        if (SCHEMA_HINTS.test(answer.text)) problems.push(`anonymous caller learned about the schema: ${answer.text.slice(0, 300)}`);
        return { problems, ms: answer.ms };
      },
      250,
    );
    await batch.expectClean();
  }, FUZZ_TEST_TIMEOUT_MS);

  it('GET with the document in the query string', async () => {
    batch.begin();
    await fuzz(
      'graphql-documents/get',
      fc.record({ document: documentArb, key: fc.constantFrom(SECRETS.userKey, undefined) }),
      async ({ document, key }): Promise<Examined> => {
        const text = documentText(document, MAX_BODY).slice(0, 20_000);
        const answer = await send(rig.gw.origin, {
          method: 'GET',
          path: `/graphql?${new URLSearchParams({ query: text }).toString()}`,
          headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        });
        return { problems: answerProblems(answer, { boundMs: BOUND_MS }), ms: answer.ms };
      },
      150,
    );
    await batch.expectClean();
  }, FUZZ_TEST_TIMEOUT_MS);

  it('memory stays bounded and the gateway healthy after the run', async () => {
    const growth = gatewayHeap(rig) - heapBefore;
    expect(growth, `heap grew ${Math.round(growth / 1024 / 1024)} MB after GC`).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(await healthy(rig.gw)).toBe(true);
  });
});
