import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';
import { startChaosRedis, type ChaosRedis } from './chaos-redis.js';
import { chatOutcome, streamOutcome, tally, timeUntil, undocumented, type Outcome } from './outcomes.js';

/*
 * Redis is SIGKILLed while streams are open and chats keep coming, then started again, with its
 * data (append-only file) or empty. test/integration/redis-outage.test.ts covers a clean stop with
 * nothing in flight; here: streams admitted before the kill finish whole, every request has a
 * documented outcome, usage is counted exactly (all of it with the data; without it, everything
 * from the kill on), and recovery is timed.
 */

const KEY = 'sbk_chaos-redis-user-0123456789abcdef';
const STREAMS = 6;
const CHUNKS = ['s0', ' s1', ' s2', ' s3'];
const usage = { promptTokens: 5, completionTokens: 3 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

interface Rig {
  gw: RunningGateway;
  redis: ChaosRedis;
  fast: WireMock;
  slow: WireMock;
}

async function rig(policy: 'local' | 'closed'): Promise<Rig> {
  const redis = await startChaosRedis();
  cleanups.push(() => redis.close());
  const fast = await startWireMock(openaiFormat);
  const slow = await startWireMock(openaiFormat);
  cleanups.push(async () => void (await Promise.all([fast.close(), slow.close()])));
  fast.script({ kind: 'text', chunks: ['yes'], usage });
  // Streams open, then wait: the kill happens while every one of them is in flight.
  slow.script({ kind: 'text', chunks: CHUNKS, usage, delays: { beforeFirstChunkMs: 700 } });
  const gw = await startGateway(`
server: { shutdownGraceMs: 0 }
providers:
  - { id: fast, type: openai, baseUrl: "${fast.origin}/v1", apiKey: test-key }
  - { id: slow, type: openai, baseUrl: "${slow.origin}/v1", apiKey: test-key }
models:
  - { provider: fast, upstream: gpt, pricing: { input: 1, output: 1 } }
  - { provider: slow, upstream: gpt, pricing: { input: 1, output: 1 } }
redis: { url: "${redis.url}", keyPrefix: "chaos-${randomUUID()}:" }
limits: { onStoreFailure: ${policy} }
auth:
  keys:
    - { id: user, secret: "${KEY}", scopes: [chat, models], limits: { requestsPerMinute: 100000, tokensPerMinute: 100000000 } }
`);
  cleanups.push(() => gw.stop());
  return { gw, redis, fast, slow };
}

const requestsCounted = async (gw: RunningGateway): Promise<number | undefined> => {
  const { body } = await postGraphQL<{ viewer: { usage: { requests: number } } }, unknown>(gw.url, '{ viewer { usage { requests } } }', undefined, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  return body.data?.viewer.usage.requests;
};
const ready = async (gw: RunningGateway) => (await fetch(`${gw.origin}/readyz`)).status === 200;

async function killUnderLoad(policy: 'local' | 'closed', withData: boolean) {
  const { gw, redis, slow } = await rig(policy);
  const documented = new Set(['STORE_UNAVAILABLE', 'RATE_LIMITED']);
  const chat = () => chatOutcome(gw.url, KEY, 'fast/gpt', documented);
  const outcomes: Outcome[] = [];

  // Before: counted in Redis.
  outcomes.push(...(await Promise.all(Array.from({ length: 4 }, chat))));
  await timeUntil(async () => (await requestsCounted(gw)) === 4, 3_000, 'usage before the kill');

  // Streams admitted, then Redis dies under them while chats keep coming.
  const streams = Array.from({ length: STREAMS }, () => streamOutcome(gw.url, KEY, 'slow/gpt', CHUNKS.join(''), documented));
  await timeUntil(async () => slow.requests.length >= STREAMS, 5_000, 'streams reaching the upstream');
  await redis.kill();
  const killedAt = performance.now();
  const during = await Promise.all(Array.from({ length: 6 }, chat));
  outcomes.push(...during, ...(await Promise.all(streams)));
  const outageMs = performance.now() - killedAt;

  await redis.start({ withData });
  const restartedAt = performance.now();
  await timeUntil(() => ready(gw), 10_000, '/readyz after the restart');
  const readyMs = performance.now() - restartedAt;
  let probe: Outcome | undefined;
  await timeUntil(async () => {
    probe = await chat();
    outcomes.push(probe);
    return probe.result === 'ok';
  }, 10_000, 'a chat after the restart');
  const recoveryMs = performance.now() - restartedAt;
  outcomes.push(...(await Promise.all(Array.from({ length: 4 }, chat))));

  const ok = (from: readonly Outcome[]) => from.filter((outcome) => outcome.result === 'ok').length;
  return { gw, outcomes, during, ok, outageMs, readyMs, recoveryMs };
}

describe('chaos: Redis killed under load with streams open', () => {
  it('local policy, restarted with its data: streams finish, chats go on, every completion is counted once', async () => {
    const { gw, outcomes, ok, outageMs, recoveryMs, readyMs } = await killUnderLoad('local', true);
    expect(undocumented(outcomes), JSON.stringify(tally(outcomes))).toEqual([]);
    // Local policy: nothing refused, streams whole.
    expect(tally(outcomes)).toMatchObject({ [`stream slow/gpt → ok`]: STREAMS });
    expect(outcomes.filter((outcome) => outcome.result !== 'ok')).toEqual([]);
    // With its data back, Redis holds every completion: before, during (queued) and after.
    const expected = ok(outcomes);
    await timeUntil(async () => (await requestsCounted(gw)) === expected, 5_000, `usage = ${expected}`).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; counted ${await requestsCounted(gw)}`);
    });
    // Loose recovery bounds: the outage cost no request more than a few seconds.
    expect(outageMs).toBeLessThan(8_000);
    expect(readyMs).toBeLessThan(5_000);
    expect(recoveryMs).toBeLessThan(5_000);
    console.info(`chaos redis (local, with data): outage ${Math.round(outageMs)} ms, ready after restart ${Math.round(readyMs)} ms, first chat ${Math.round(recoveryMs)} ms`);
  });

  it('closed policy, restarted empty: open streams finish, new chats get STORE_UNAVAILABLE, usage from the kill on is counted', async () => {
    const { gw, outcomes, during, ok, recoveryMs, readyMs } = await killUnderLoad('closed', false);
    expect(undocumented(outcomes), JSON.stringify(tally(outcomes))).toEqual([]);
    expect(tally(outcomes)).toMatchObject({ [`stream slow/gpt → ok`]: STREAMS });
    // Closed: a chat that needs the limit store while it is away is refused, with 503.
    for (const outcome of during) expect([outcome.result, outcome.status]).toEqual(['STORE_UNAVAILABLE', 503]);
    // Redis came back empty: the 4 completions before the kill are gone with it; the streams that
    // finished during the outage (queued) and everything after are counted.
    const expected = ok(outcomes) - 4;
    await timeUntil(async () => (await requestsCounted(gw)) === expected, 5_000, `usage = ${expected}`).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; counted ${await requestsCounted(gw)}`);
    });
    expect(readyMs).toBeLessThan(5_000);
    expect(recoveryMs).toBeLessThan(5_000);
    console.info(`chaos redis (closed, empty): ready after restart ${Math.round(readyMs)} ms, first chat ${Math.round(recoveryMs)} ms`);
  });
});
