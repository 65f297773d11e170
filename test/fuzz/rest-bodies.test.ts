import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblems } from './check-answer.js';
import { BOUND_MS, fuzz, FUZZ_TEST_TIMEOUT_MS, type Examined } from './fuzz-budget.js';
import { watchBatches } from './watch-batches.js';
import { captureConsole, gatewayHeap, healthy, SECRETS, send, startFuzzRig, type FuzzRig } from './fuzz-rig.js';
import { restBodyArb, restBodyText } from './rest-arbitraries.js';

/*
 * Generated `/v1/chat/completions` and `/v1/embeddings` bodies (OpenAI-shaped with odd values,
 * and hostile JSON) against the running gateway: a named outcome in time, never a 500, a stack
 * or a secret; no prompt (a 400,000-character word included) holds the event loop.
 */

const MAX_BODY = 1_048_576;
const HEAP_GROWTH_BOUND = 48 * 1024 * 1024;

let rig: FuzzRig;
let heapBefore = 0;
const consoleOutput = captureConsole();
const batch = watchBatches(() => rig, consoleOutput);

beforeAll(async () => {
  rig = await startFuzzRig({ maxBodyBytes: MAX_BODY });
  for (let index = 0; index < 10; index++) await post('/v1/chat/completions', JSON.stringify({ model: 'mock/gpt', messages: [{ role: 'user', content: 'hi' }] }));
  heapBefore = gatewayHeap(rig);
  batch.begin();
});
afterAll(async () => {
  consoleOutput.restore();
  await rig?.stop();
});

function post(path: string, body: string, key: string | null = SECRETS.userKey) {
  return send(rig.gw.origin, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: Buffer.from(body),
  });
}


describe('fuzz: /v1 bodies', () => {
  for (const path of ['/v1/chat/completions', '/v1/embeddings'] as const) {
    it(`${path}: every body gets a named outcome within its bound`, async () => {
      batch.begin();
      await fuzz(
        `rest-bodies${path}`,
        fc.record({ body: restBodyArb(path), anonymous: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }),
        async ({ body, anonymous }): Promise<Examined> => {
          const answer = await post(path, restBodyText(body, path, MAX_BODY), anonymous ? null : SECRETS.userKey);
          const problems = answerProblems(answer, { boundMs: BOUND_MS });
          if (anonymous && answer.status !== 401 && answer.status !== 413) problems.push(`anonymous caller got HTTP ${answer.status}`);
          return { problems, ms: answer.ms };
        },
        path === '/v1/embeddings' ? 250 : 400,
      );
      await batch.expectClean();
    }, FUZZ_TEST_TIMEOUT_MS);
  }

  it('a health check during a hostile prompt answers in time (nothing holds the event loop)', async () => {
    batch.begin();
    // Token counting of one unbroken 400,000-character word (issue 11, defect 2) runs alongside.
    const prompt = post('/v1/chat/completions', restBodyText({ kind: 'long-word', char: 'x', n: 400_000, stream: false }, '/v1/chat/completions', MAX_BODY));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const probe = await send(rig.gw.origin, { method: 'GET', path: '/healthz' });
    const answer = await prompt;
    expect(probe.status).toBe(200);
    expect(probe.ms).toBeLessThan(BOUND_MS);
    expect(answerProblems(answer, { boundMs: BOUND_MS })).toEqual([]);
    await batch.expectClean();
  });

  it('memory stays bounded and the gateway healthy after the run', async () => {
    const growth = gatewayHeap(rig) - heapBefore;
    expect(growth, `heap grew ${Math.round(growth / 1024 / 1024)} MB after GC`).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(await healthy(rig.gw)).toBe(true);
  });
});
