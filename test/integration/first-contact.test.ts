import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_OPERATIONS } from '../../src/server/create-yoga.js';
import { collectWs, createWsClient, postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/**
 * What a new user meets first, on the embedded default (no config, no key): `GET /` leads to
 * GraphiQL, streams show their text so far, and the `local/tools` demo model calls tools over
 * GraphQL and the OpenAI-compatible surface.
 */
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.stop();
});

const WEATHER = {
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { unit: { type: 'string', enum: ['C', 'F'] }, city: { type: 'string' } }, required: ['city'] },
};

interface StreamEvent {
  delta: string | null;
  text: string | null;
  again: string | null;
  done: boolean;
}
const STREAM_WITH_TEXT = `subscription ($input: ChatInput!) { chatStream(input: $input) { delta text again: text done } }`;

describe('GET /', () => {
  it('redirects to GraphiQL', async () => {
    const response = await fetch(`${gw.origin}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
    const page = await fetch(`${gw.origin}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    // The preloaded examples: a stream that shows its text so far, and the tool-calling demo.
    expect(html).toContain('the answer so far');
    expect(html).toContain('local/tools');
  });

  it('is left alone when GraphiQL is off', async () => {
    const off = await startGateway('server: { graphiql: false }\nproviders: [{ id: local, type: local }]\n');
    try {
      expect((await fetch(`${off.origin}/`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});

describe("GraphiQL's example operations", () => {
  it('each runs without errors on the embedded default; the stream shows its whole text at the end', async () => {
    const names = [...EXAMPLE_OPERATIONS.matchAll(/^(query|mutation|subscription) (\w+)/gm)].map((match) => [match[1], match[2]] as const);
    expect(names.map(([, name]) => name)).toEqual(['Catalog', 'Chat', 'Image', 'Stream', 'Reasoning', 'Tools']);
    for (const [type, operationName] of names) {
      if (type === 'subscription') {
        type Event = { text?: string; reasoningDelta?: string | null; delta?: string | null; reasoningSignature?: string | null; done: boolean };
        const events: Event[] = [];
        const response = await fetch(gw.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: EXAMPLE_OPERATIONS, operationName }),
        });
        for (const line of (await response.text()).split('\n')) {
          if (!line.startsWith('data: {')) continue;
          const result = JSON.parse(line.slice(6)) as { data?: { chatStream: Event }; errors?: unknown };
          expect(result.errors).toBeUndefined();
          if (result.data) events.push(result.data.chatStream);
        }
        expect(events.at(-1)?.done).toBe(true);
        if (operationName === 'Stream') expect(events.at(-1)?.text?.split(' ')).toHaveLength(40);
        if (operationName === 'Reasoning') {
          const firstText = events.findIndex((event) => event.delta != null);
          expect(events.findLastIndex((event) => event.reasoningDelta != null)).toBeGreaterThanOrEqual(0);
          expect(events.findLastIndex((event) => event.reasoningDelta != null)).toBeLessThan(firstText);
          expect(events.at(-1)?.reasoningSignature).toMatch(/^local:/);
        }
        continue;
      }
      const named = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: EXAMPLE_OPERATIONS, operationName }) });
      const result = (await named.json()) as { errors?: unknown; data?: unknown };
      expect(result.errors, operationName).toBeUndefined();
      expect(result.data).toBeTruthy();
    }
  });
});

describe('ChatStreamEvent.text', () => {
  const input = { model: 'local/echo', messages: [{ role: 'USER', content: 'one two three four five' }] };

  function expectRunningText(events: StreamEvent[]) {
    expect(events.length).toBeGreaterThan(2);
    let soFar = '';
    for (const event of events) {
      soFar += event.delta ?? '';
      expect(event.text).toBe(soFar);
      expect(event.again).toBe(soFar);
    }
    expect(events.at(-1)).toMatchObject({ done: true, delta: null, text: 'one two three four five' });
  }

  it('is the text so far on every event, over SSE', async () => {
    const events: StreamEvent[] = [];
    for await (const result of subscribeSse(gw.url, STREAM_WITH_TEXT, { input })) {
      expect(result.errors).toBeUndefined();
      events.push((result.data as { chatStream: StreamEvent }).chatStream);
    }
    expectRunningText(events);
  });

  it('is the text so far on every event, over graphql-ws, for concurrent subscriptions apart', async () => {
    const client = createWsClient(gw.wsUrl);
    try {
      const other = { ...input, messages: [{ role: 'USER', content: 'alpha beta gamma delta' }] };
      const [first, second] = await Promise.all([
        collectWs(client, STREAM_WITH_TEXT, { input }),
        collectWs(client, STREAM_WITH_TEXT, { input: other }),
      ]);
      expectRunningText(first.map((result) => (result.data as { chatStream: StreamEvent }).chatStream));
      expect(second.map((result) => (result.data as { chatStream: StreamEvent }).chatStream.text).at(-1)).toBe('alpha beta gamma delta');
    } finally {
      await client.dispose();
    }
  });
});

describe('local/tools', () => {
  const CHAT = `mutation ($input: ChatInput!) { chat(input: $input) { message { content toolCalls { id name arguments } } finishReason usage { completionTokens } } }`;
  const STREAM = `subscription ($input: ChatInput!) { chatStream(input: $input) { toolCallDeltas { index id name argumentsDelta } finishReason done } }`;
  type Call = { id: string; name: string; arguments: string };

  it('calls the first tool with the last user message, then answers with the tool result (GraphQL)', async () => {
    const question = { role: 'USER', content: 'Paris' };
    const first = await postGraphQL(gw.url, CHAT, { input: { model: 'local/tools', messages: [question], tools: [WEATHER] } });
    expect(first.body.errors).toBeUndefined();
    const chat = (first.body.data as { chat: { message: { content: string | null; toolCalls: Call[] }; finishReason: string } }).chat;
    expect(chat.finishReason).toBe('TOOL_CALLS');
    expect(chat.message.content).toBeNull();
    expect(chat.message.toolCalls).toHaveLength(1);
    const [call] = chat.message.toolCalls as [Call];
    expect(call).toMatchObject({ name: 'get_weather' });
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });

    // Streamed: the id and name first, then the arguments in pieces that join to the same JSON.
    const events: { toolCallDeltas: { index: number; id: string | null; name: string | null; argumentsDelta: string | null }[] | null; finishReason: string | null }[] = [];
    for await (const result of subscribeSse(gw.url, STREAM, { input: { model: 'local/tools', messages: [question], tools: [WEATHER] } })) {
      events.push((result.data as { chatStream: (typeof events)[number] }).chatStream);
    }
    const deltas = events.flatMap((event) => event.toolCallDeltas ?? []);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas[0]).toMatchObject({ index: 0, name: 'get_weather' });
    expect(deltas[0]?.id).toMatch(/^call_/);
    expect(JSON.parse(deltas.map((delta) => delta.argumentsDelta ?? '').join(''))).toEqual({ city: 'Paris' });
    expect(events.at(-1)?.finishReason).toBe('TOOL_CALLS');

    const answer = await postGraphQL(gw.url, CHAT, {
      input: {
        model: 'local/tools',
        tools: [WEATHER],
        messages: [question, { role: 'ASSISTANT', content: null, toolCalls: [call] }, { role: 'TOOL', toolCallId: call.id, content: '18°C and sunny' }],
      },
    });
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data as { chat: { message: { content: string }; finishReason: string } }).chat).toMatchObject({
      finishReason: 'STOP',
      message: { content: 'get_weather returned 18°C and sunny.' },
    });
  });

  it('works with the openai SDK: a tool call, streamed and whole, and the round trip', async () => {
    const client = new OpenAI({ baseURL: `${gw.origin}/v1`, apiKey: 'unused-in-open-mode', maxRetries: 0 });
    const tools: ChatCompletionTool[] = [{ type: 'function', function: WEATHER }];
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Lisbon' }];

    const whole = await client.chat.completions.create({ model: 'local/tools', messages, tools });
    const choice = whole.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Lisbon' });

    const stream = client.chat.completions.stream({ model: 'local/tools', messages, tools });
    const streamed = await stream.finalChatCompletion();
    const streamedCall = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === 'function' && JSON.parse(streamedCall.function.arguments)).toEqual({ city: 'Lisbon' });
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');

    const reply = await client.chat.completions.create({
      model: 'local/tools',
      tools,
      messages: [...messages, choice?.message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: '21°C' }],
    });
    expect(reply.choices[0]?.message.content).toBe('get_weather returned 21°C.');
  });
});
