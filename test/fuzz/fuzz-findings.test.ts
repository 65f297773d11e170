import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsClient } from '../helpers/graphql-clients.js';
import { answerProblems, logProblems } from './check-answer.js';
import { captureConsole, SECRETS, send, startFuzzRig, type FuzzRig } from './fuzz-rig.js';

/*
 * Cases the fuzz suite found, pinned as plain regression tests (they fail on the code before
 * their fix): each through the real server, on every transport it reaches.
 */

let rig: FuzzRig;
beforeAll(async () => {
  rig = await startFuzzRig();
});
afterAll(() => rig?.stop());

const STREAM = 'chatStream(input: { model: "local/echo", messages: [{ role: USER, content: "hi" }] })';

describe('fuzz findings', () => {
  // graphql-js 16 throws inside validation (`if: $v`) or inside subscribe (the only root field skipped).
  it.each([
    ['literal false', `subscription { ${STREAM} @include(if: false) { delta } }`],
    ['variable with a default', `subscription ($v: Boolean = true) { ${STREAM} @include(if: $v) { delta } }`],
    ['@skip in a root fragment', `subscription { ...F } fragment F on Subscription { ${STREAM} @skip(if: true) { delta } }`],
  ])('@skip/@include on a subscription root field (%s) is BAD_USER_INPUT, never a 500', async (_name, query) => {
    for (const accept of ['text/event-stream', 'application/json', 'application/graphql-response+json']) {
      const answer = await send(rig.gw.origin, {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${SECRETS.userKey}` },
        body: Buffer.from(JSON.stringify({ query })),
      });
      expect(answerProblems(answer, { boundMs: 2_000 }), accept).toEqual([]);
      expect(answer.text, accept).toContain('BAD_USER_INPUT');
    }
    const client = createWsClient(rig.gw.wsUrl, { authorization: `Bearer ${SECRETS.userKey}` });
    try {
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: resolve, error: resolve, complete: () => resolve('complete') });
      });
      expect(JSON.stringify(outcome)).toContain('BAD_USER_INPUT');
    } finally {
      await client.dispose();
    }
  });

  // graphql-ws/use/ws wrote these to console.error with a stack, and closed a server-only message type with 4500.
  it.each([
    ['an over-size frame', (socket: WebSocket) => socket.send('x'.repeat(1_048_577)), 1009],
    ['a message type only servers send', (socket: WebSocket) => socket.send(JSON.stringify({ type: 'next', id: '1', payload: {} })), 4400],
    ['connection_ack from the client', (socket: WebSocket) => socket.send(JSON.stringify({ type: 'connection_ack' })), 4400],
    // graphql-ws quotes the id in the close reason; over 123 bytes, `ws` threw (4500 and an error log).
    [
      'a duplicate subscription id of 300 characters',
      (socket: WebSocket) => {
        const subscribe = JSON.stringify({ type: 'subscribe', id: 'x'.repeat(300), payload: { query: `subscription { ${STREAM} { delta } }` } });
        socket.send(subscribe);
        socket.send(subscribe);
      },
      4409,
    ],
  ] as const)('graphql-ws: %s closes the socket with a documented code, nothing on stderr, no error log', async (_name, misbehave, expected) => {
    const output = captureConsole();
    const logMark = rig.gw.logs.length;
    try {
      const socket = new WebSocket(rig.gw.wsUrl, 'graphql-transport-ws');
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.on('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${SECRETS.userKey}` } }));
      await new Promise((resolve) => socket.once('message', resolve));
      misbehave(socket);
      expect(await closed).toBe(expected);
      expect(output.lines).toEqual([]);
      expect(logProblems(rig.gw.logs, logMark)).toEqual([]);
    } finally {
      output.restore();
    }
  });

  // countPromptTokens ran JSON.stringify over the tools: RangeError, HTTP 500 internal_error and an error log.
  it.each([
    ['/v1/chat/completions', `{"model":"mock/gpt","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"t","parameters":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}]}`],
    ['/v1/embeddings', `{"model":"local/embed","input":${'['.repeat(50_000)}"x"${']'.repeat(50_000)}}`],
  ])('%s: a body nested 50,000 levels deep is a 400, not a 500', async (path, body) => {
    const logMark = rig.gw.logs.length;
    const answer = await send(rig.gw.origin, {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.userKey}` },
      body: Buffer.from(body),
    });
    expect(answerProblems(answer, { boundMs: 2_000 })).toEqual([]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'invalid_request', message: expect.stringContaining('deeper than') } });
    expect(logProblems(rig.gw.logs, logMark)).toEqual([]);
  });
});
