import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWs, createWsClient, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/** Every transport's subscriptions run on the compiled per-event path, with the answers they had before. */
const STREAM = `subscription Stream($model: String!) {
  chatStream(input: { model: $model, messages: [{ role: USER, content: "one two three" }] }) { text: delta done ... on ChatStreamEvent { __typename } }
}`;

interface StreamEvent {
  chatStream?: { text: string | null; done: boolean; __typename: string } | null;
}

type Result = { data?: StreamEvent | null; errors?: readonly { extensions?: { code?: string } }[] };

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.stop());

/** Subscriptions per engine so far, as the gateway's /metrics reports them. */
async function engineCounts(): Promise<{ compiled: number; handedBack: number }> {
  const text = await (await fetch(`${gw.origin}/metrics`)).text();
  const count = (engine: string) => Number(new RegExp(`^switchboard_subscriptions_total\\{engine="${engine}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN');
  return { compiled: count('compiled'), handedBack: count('handed_back') };
}

/** Runs `open` and returns its results with how many subscriptions it added to each count. */
async function counted<T>(open: () => Promise<T>): Promise<{ results: T; compiled: number; handedBack: number }> {
  const before = await engineCounts();
  const results = await open();
  const after = await engineCounts();
  return { results, compiled: after.compiled - before.compiled, handedBack: after.handedBack - before.handedBack };
}

async function viaSse(model: string): Promise<Result[]> {
  const results: Result[] = [];
  for await (const result of subscribeSse<StreamEvent, { model: string }>(gw.url, STREAM, { model })) results.push(result);
  return results;
}

async function viaYogaSse(model: string): Promise<Result[]> {
  const url = `${gw.url}?query=${encodeURIComponent(STREAM)}&variables=${encodeURIComponent(JSON.stringify({ model }))}`;
  const text = await (await fetch(url, { headers: { accept: 'text/event-stream' } })).text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: next'))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Result);
}

async function viaWs(model: string): Promise<Result[]> {
  const client = createWsClient(gw.wsUrl);
  try {
    return await collectWs<StreamEvent, { model: string }>(client, STREAM, { model });
  } finally {
    await client.dispose();
  }
}

describe('compiled subscriptions on every transport', () => {
  it.each([
    ['SSE through the JSON fast lane', viaSse],
    ['SSE through Yoga (GET)', viaYogaSse],
    ['graphql-ws', viaWs],
  ] as const)('%s', async (_name, open) => {
    const { results, compiled, handedBack } = await counted(() => open('local/echo'));
    expect(compiled).toBe(1);
    expect(handedBack).toBe(0);
    const events = results.map((result) => result.data?.chatStream);
    expect(events.map((event) => event?.text ?? '').join('')).toContain('one two three');
    expect(events.at(-1)?.done).toBe(true);
    expect(events.every((event) => event?.__typename === 'ChatStreamEvent')).toBe(true);

    // An error from the stream keeps its code, masked as before.
    const failed = await counted(() => open('nowhere/nothing').catch((errors: unknown): Result[] => [{ errors: errors as Result['errors'] }]));
    const codes = failed.results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code));
    expect(codes).toEqual(['MODEL_NOT_FOUND']);
    expect(JSON.stringify(failed.results)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
