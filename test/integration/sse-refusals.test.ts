import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const LANE_KEY = 'sk-sse-lane-0123456789abcdef';
const YOGA_KEY = 'sk-sse-yoga-0123456789abcdef';
const NO_CHAT_KEY = 'sk-sse-models-0123456789abcd';
const QUERY = 'subscription { chatStream(input: {model: "local/lorem", maxTokens: 3, messages: [{role: USER, content: "x"}]}) { delta done } }';

interface SseAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

describe('a subscription refused before its first event answers like a query', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: lane, secret: "\${LANE_KEY}", scopes: [chat], limits: { requestsPerMinute: 1 } }
    - { id: yoga, secret: "\${YOGA_KEY}", scopes: [chat], limits: { requestsPerMinute: 1 } }
    - { id: no-chat, secret: "\${NO_CHAT_KEY}", scopes: [models] }
`,
      { LANE_KEY, YOGA_KEY, NO_CHAT_KEY },
    );
  });
  afterAll(async () => {
    await gw.stop();
  });

  /** The fast lane takes POSTs that accept exactly text/event-stream; a GET goes through Yoga's own SSE processor. */
  async function subscribe(path: 'lane' | 'yoga', key: string): Promise<SseAnswer> {
    const headers = { accept: 'text/event-stream', authorization: `Bearer ${key}` };
    const response =
      path === 'lane'
        ? await fetch(gw.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) })
        : await fetch(`${gw.url}?query=${encodeURIComponent(QUERY)}`, { headers });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
  }

  it.each([
    ['lane', LANE_KEY],
    ['yoga', YOGA_KEY],
  ] as const)('over SSE (%s): 429 with a numeric Retry-After and the GraphQL error', async (path, key) => {
    const admitted = await subscribe(path, key);
    expect(admitted.status).toBe(200);
    expect(admitted.text).toContain('"done":true');

    const refused = await subscribe(path, key);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toMatch(/^\d+$/);
    expect(refused.text).toContain('"code":"RATE_LIMITED"');
    expect(refused.text).not.toContain('"delta"');
  });

  it.each(['lane', 'yoga'] as const)('over SSE (%s): a key without the chat scope gets 403', async (path) => {
    const refused = await subscribe(path, NO_CHAT_KEY);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('"code":"FORBIDDEN"');
  });
});
