import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { textProblems } from './check-answer.js';
import { BOUND_MS, fuzz, FUZZ_TEST_TIMEOUT_MS, type Examined } from './fuzz-budget.js';
import { watchBatches } from './watch-batches.js';
import { captureConsole, gatewayHeap, healthy, SECRETS, startFuzzRig, type FuzzRig } from './fuzz-rig.js';
import { documentArb, documentText, textArb, variablesArb, variablesText } from './graphql-arbitraries.js';

/*
 * A raw `ws` client speaking graphql-transport-ws badly: arbitrary JSON and non-JSON frames,
 * binary and over-size frames, messages out of order (subscribe before init, two inits, duplicate
 * ids, complete for unknown ids). Every connection ends in a documented way (protocol messages, or
 * a close with a graphql-ws/RFC 6455 code), never 4500/1011 or a dropped socket, in time.
 */

const MAX_BODY = 262_144;
const HEAP_GROWTH_BOUND = 48 * 1024 * 1024;
/** Close codes a misbehaving client may get: normal, too big, and graphql-ws's protocol codes. */
const DOCUMENTED_CLOSES = new Set([1000, 1001, 1005, 1009, 4400, 4401, 4403, 4406, 4408, 4409, 4429]);

let rig: FuzzRig;
let heapBefore = 0;
const consoleOutput = captureConsole();
const batch = watchBatches(() => rig, consoleOutput);

beforeAll(async () => {
  rig = await startFuzzRig({ maxBodyBytes: MAX_BODY });
  heapBefore = gatewayHeap(rig);
  batch.begin();
});
afterAll(async () => {
  consoleOutput.restore();
  await rig?.stop();
});

type Frame = { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'binary'; size: number } | { kind: 'huge'; size: number };

const VALID_SUBSCRIPTION = 'subscription { chatStream(input: { model: "local/echo", messages: [{ role: USER, content: "hi there" }] }) { delta done } }';
const idArb = fc.constantFrom('1', '2', '', 'x'.repeat(300), '__proto__');
const authArb = fc.oneof(
  fc.constant<unknown>({ authorization: `Bearer ${SECRETS.userKey}` }),
  fc.constant<unknown>({ authorization: `Bearer ${SECRETS.userKey}` }),
  fc.constant<unknown>({ headers: { authorization: `Bearer ${SECRETS.adminKey}` } }),
  fc.constantFrom<unknown>({ authorization: 'Bearer sbk_nope-0123456789abcdefghij' }, { authorization: 7 }, { Authorization: '' }, null, 'x', []),
  fc.jsonValue({ maxDepth: 3 }),
);
const subscribeArb = fc.record({
  id: idArb,
  query: fc.oneof(fc.constant(VALID_SUBSCRIPTION), fc.constant('{ models { id } }'), documentArb.map((recipe) => documentText(recipe, MAX_BODY / 2).slice(0, MAX_BODY / 2))),
  variables: variablesArb.map((recipe) => variablesText(recipe)),
});

const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  { arbitrary: subscribeArb.map(({ id, query, variables }) => ({ kind: 'text' as const, text: `{"type":"subscribe","id":${JSON.stringify(id)},"payload":{"query":${JSON.stringify(query)}${variables === undefined ? '' : `,"variables":${variables}`}}}` })), weight: 5 },
  fc.record({ kind: fc.constant('json' as const), value: fc.record({ type: fc.constant('connection_init'), payload: authArb }) }),
  fc.record({ kind: fc.constant('json' as const), value: fc.record({ type: fc.constantFrom('complete', 'ping', 'pong', 'next', 'error', 'connection_ack', 'subscribe', 'nope', ''), id: idArb, payload: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }),
  fc.record({ kind: fc.constant('text' as const), text: fc.oneof(textArb.map((text) => text.slice(0, 10_000)), fc.constantFrom('', '{', '{"type":', 'null', '[]', '{"type":"subscribe","id":"1","payload":{"query":{}}}')) }),
  fc.record({ kind: fc.constant('binary' as const), size: fc.integer({ min: 0, max: 2_000 }) }),
  { arbitrary: fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 2 }) }), weight: 1 },
);

const connectionArb = fc.record({
  init: fc.option(authArb, { freq: 5 }),
  frames: fc.array(frameArb, { minLength: 1, maxLength: 6 }),
  protocol: fc.constantFrom('graphql-transport-ws', 'graphql-transport-ws', 'graphql-transport-ws', 'graphql-ws', 'nope'),
});

interface Outcome {
  messages: string[];
  closeCode?: number;
  closeReason?: string;
  ms: number;
  timedOut: boolean;
  /** False when the handshake failed (a subprotocol the server does not speak). */
  opened: boolean;
}

/** Opens one connection, sends the frames and a final ping, and waits for the pong or the close. */
function converse(init: unknown, frames: Frame[], protocol: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise<Outcome>((resolve) => {
    const socket = new WebSocket(rig.gw.wsUrl, protocol);
    const messages: string[] = [];
    let done = false;
    let opened = false;
    const finish = (outcome: Partial<Outcome>) => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      else if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      resolve({ messages, ms: performance.now() - started, timedOut: false, opened, ...outcome });
    };
    const guard = setTimeout(() => finish({ timedOut: true }), BOUND_MS + 2_000);
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => finish({ closeCode: code, closeReason: reason.toString() }));
    socket.on('message', (data) => {
      const text = data.toString();
      messages.push(text);
      // Two probe pings, the second sent on the first's pong: a close the server decided while handling
      // the frames before (its handlers are async) arrives before the second pong. Answers to slow
      // subscriptions may still follow; they are not awaited.
      if (text.includes('"pong"') && text.includes('fuzz-probe-1')) socket.send(JSON.stringify({ type: 'ping', payload: { probe: 'fuzz-probe-2' } }));
      if (text.includes('"pong"') && text.includes('fuzz-probe-2')) finish({});
    });
    socket.on('open', () => {
      opened = true;
      if (init !== null) socket.send(JSON.stringify({ type: 'connection_init', payload: init }));
      for (const frame of frames) {
        if (socket.readyState !== WebSocket.OPEN) return;
        if (frame.kind === 'json') socket.send(JSON.stringify(frame.value) ?? 'null');
        else if (frame.kind === 'text') socket.send(frame.text);
        else if (frame.kind === 'binary') socket.send(Buffer.alloc(frame.size, 0xff));
        else socket.send('x'.repeat(frame.size));
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping', payload: { probe: 'fuzz-probe-1' } }));
    });
  });
}

describe('fuzz: graphql-ws frames', () => {
  it('every connection ends in a documented way, in time', async () => {
    batch.begin();
    await fuzz(
      'graphql-ws/frames',
      connectionArb,
      async ({ init, frames, protocol }): Promise<Examined> => {
        const outcome = await converse(init, frames, protocol);
        const problems = outcome.messages.flatMap(textProblems);
        if (outcome.closeReason) problems.push(...textProblems(outcome.closeReason));
        if (outcome.timedOut) problems.push(`no pong and no close within ${BOUND_MS + 2_000} ms`);
        const refusedHandshake = !outcome.opened && protocol !== 'graphql-transport-ws';
        if (outcome.closeCode !== undefined && !DOCUMENTED_CLOSES.has(outcome.closeCode) && !refusedHandshake) {
          problems.push(`closed with ${outcome.closeCode} "${outcome.closeReason ?? ''}"`);
        }
        if (outcome.ms > BOUND_MS) problems.push(`answered in ${Math.round(outcome.ms)} ms (bound ${BOUND_MS} ms)`);
        return { problems, ms: outcome.ms };
      },
      350,
    );
    await batch.expectClean();
  }, FUZZ_TEST_TIMEOUT_MS);

  it('memory stays bounded and the gateway healthy after the run', async () => {
    const growth = gatewayHeap(rig) - heapBefore;
    expect(growth, `heap grew ${Math.round(growth / 1024 / 1024)} MB after GC`).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(await healthy(rig.gw)).toBe(true);
  });
});
