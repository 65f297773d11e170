import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { FULL_KEY, MODEL, startRestFixture, type RestFixture } from './gateway-fixture.js';

const usage = { promptTokens: 12, completionTokens: 5 };
let fx: RestFixture;
let client: OpenAI;

beforeAll(async () => {
  fx = await startRestFixture();
  client = new OpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await fx?.stop();
});

async function viewerRequests(): Promise<number> {
  const { body } = await postGraphQL(fx.gw.url, '{ viewer { usage { requests completionTokens } } }', undefined, { headers: { authorization: `Bearer ${FULL_KEY}` } });
  return (body.data as { viewer: { usage: { requests: number } } }).viewer.usage.requests;
}

describe('/v1/responses shares the chat path with /v1/chat/completions and the graph', () => {
  it('records usage the graph sees', async () => {
    const before = await viewerRequests();
    fx.mock.script({ kind: 'text', chunks: ['counted'], usage });
    await client.responses.create({ model: MODEL, input: 'count me' });
    fx.mock.script({ kind: 'text', chunks: ['counted', ' too'], usage });
    await client.responses.stream({ model: MODEL, input: 'count me as a stream' }).finalResponse();
    await expect.poll(viewerRequests).toBe(before + 2);
  });

  it('shares the completion cache with chat completions (temperature 0), streamed or not', async () => {
    fx.mock.script({ kind: 'text', chunks: ['cached', ' answer'], usage });
    const calls = fx.mock.requests.length;
    const chat = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'cache me' }], temperature: 0 });
    const response = await client.responses.create({ model: MODEL, input: 'cache me', temperature: 0 });
    const streamed = await client.responses.stream({ model: MODEL, input: 'cache me', temperature: 0 }).finalResponse();
    expect(chat.choices[0]?.message.content).toBe('cached answer');
    expect(response.output_text).toBe('cached answer');
    expect(streamed.output_text).toBe('cached answer');
    expect(fx.mock.requests.length - calls).toBe(1);
  });

  it('a stream that fails after its first delta ends with response.failed carrying the error', async () => {
    fx.mock.script({ kind: 'mid-stream-error', chunks: ['partial'], message: 'upstream broke' });
    const stream = client.responses.stream({ model: MODEL, input: 'x' });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBeTruthy();
    expect(final.output_text).toBe('partial');
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
    ]);
  });

  it('aborting a stream aborts the upstream request', async () => {
    const aborted = fx.mock.abortedCount;
    fx.mock.script({ kind: 'hang', chunks: ['first'] });
    const controller = new AbortController();
    const stream = await client.responses.create({ model: MODEL, input: 'x', stream: true }, { signal: controller.signal });
    const seen: string[] = [];
    await (async () => {
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') {
          seen.push(event.delta);
          controller.abort();
        }
      }
    })().catch(() => undefined);
    expect(seen).toEqual(['first']);
    await fx.mock.waitForAborts(aborted + 1);
  });

  it('answers through a route id, naming the model that answered', async () => {
    fx.mock.script({ kind: 'text', chunks: ['routed'], usage });
    const response = await client.responses.create({ model: 'cheap', input: 'x' });
    expect(response.model).toBe(MODEL);
    expect(response.output_text).toBe('routed');
  });
});
