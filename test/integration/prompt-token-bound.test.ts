import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EMBEDDING_INPUT_CHARS } from '../../src/schema/embeddings-schema.js';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/*
 * Prompt-token counting (for tokensPerMinute and budgets) used to be quadratic in
 * the length of one unbroken word: 100,000 × "x" blocked the whole process ~6 s.
 * The gateway runs in this process, so the event loop's longest stall while a
 * request is answered is the stall the gateway caused.
 */

const KEY = 'sbk_token-bound-0123456789abcdef';
const bearer = { authorization: `Bearer ${KEY}` };
const SIZES = { '100k': 100_000, '400k': 400_000, '4 MiB': 4 * 1024 * 1024 } as const;
/** Generous: the bounded count takes ~10–40 ms; the old one took seconds from 100k on. */
const MAX_STALL_MS = 1_000;

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway(
    `
server: { maxBodyBytes: 6000000 }
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: counted, secret: "${KEY}", limits: { tokensPerMinute: 1000000000 } }
`,
  );
  // Loads the tokenizer once, so the measured requests pay only for counting.
  await postGraphQL(gw.url, 'mutation { chat(input: { model: "local/echo", messages: [{ role: USER, content: "warm" }] }) { id } }', undefined, { headers: bearer });
});

afterAll(async () => {
  await gw?.stop();
});

/** Runs `request` while watching the event loop and /healthz; resolves with the longest stall and the health answers. */
async function whileWatching(request: () => Promise<Response>): Promise<{ response: Response; stallMs: number; healthy: number }> {
  // The longest gap between ticks of a 10 ms timer: how long the event loop was held.
  let stallMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last - 10);
    last = now;
  }, 10);
  let healthy = 0;
  let done = false;
  const pending = request().finally(() => {
    done = true;
  });
  // /healthz keeps answering while the request is being counted and answered.
  const probes = (async () => {
    while (!done) {
      const health = await fetch(`${gw.origin}/healthz`);
      await health.arrayBuffer();
      if (health.ok) healthy++;
    }
  })();
  const response = await pending;
  await response.arrayBuffer();
  await probes;
  clearInterval(ticker);
  stallMs = Math.max(stallMs, performance.now() - last - 10);
  return { response, stallMs, healthy };
}

const chatBody = (word: string) =>
  JSON.stringify({ query: 'mutation ($content: String!) { chat(input: { model: "local/echo", messages: [{ role: USER, content: $content }], maxTokens: 1 }) { usage { promptTokens } } }', variables: { content: word } });

describe('prompt-token counting has a bounded cost', () => {
  for (const [name, length] of Object.entries(SIZES)) {
    // A letter per transport: the tokenizer remembers words it has merged, so each must be new to it.
    const word = (letter: string) => letter.repeat(length);

    it(`GraphQL chat with a ${name} unbroken word does not stall the event loop`, async () => {
      const { response, stallMs, healthy } = await whileWatching(() =>
        fetch(gw.url, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: chatBody(word('x')) }),
      );
      expect(response.status).toBe(200);
      expect(stallMs).toBeLessThan(MAX_STALL_MS);
      expect(healthy).toBeGreaterThan(0);
    });

    it(`/v1/chat/completions with a ${name} unbroken word does not stall the event loop`, async () => {
      const { response, stallMs, healthy } = await whileWatching(() =>
        fetch(`${gw.origin}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'local/echo', max_tokens: 1, messages: [{ role: 'user', content: word('y') }] }),
        }),
      );
      expect(response.status).toBe(200);
      expect(stallMs).toBeLessThan(MAX_STALL_MS);
      expect(healthy).toBeGreaterThan(0);
    });

    it(`/v1/embeddings with ${name} of unbroken words does not stall the event loop`, async () => {
      // One input holds at most MAX_EMBEDDING_INPUT_CHARS: larger sizes are several maximal words.
      const inputs = Array.from({ length: Math.ceil(length / MAX_EMBEDDING_INPUT_CHARS) }, () => 'z'.repeat(Math.min(length, MAX_EMBEDDING_INPUT_CHARS)));
      const { response, stallMs, healthy } = await whileWatching(() =>
        fetch(`${gw.origin}/v1/embeddings`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'local/embed', input: inputs }),
        }),
      );
      expect(response.status).toBe(200);
      expect(stallMs).toBeLessThan(MAX_STALL_MS);
      expect(healthy).toBeGreaterThan(0);
    });
  }

  it('counts a prompt holding special-token text instead of failing', async () => {
    const { body } = await postGraphQL(
      gw.url,
      'mutation { chat(input: { model: "local/echo", messages: [{ role: USER, content: "say <|endoftext|> now" }] }) { message { content } } }',
      undefined,
      { headers: bearer },
    );
    expect(body.errors).toBeUndefined();
    expect((body.data as { chat: { message: { content: string } } }).chat.message.content).toBe('say <|endoftext|> now');
  });
});
