import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_KEY, MODEL, refusedResponse, startRestFixture, UPSTREAM_SECRET, type RestFixture } from './gateway-fixture.js';

const usage = { promptTokens: 12, completionTokens: 5 };
let fx: RestFixture;
let client: OpenAI;

beforeAll(async () => {
  fx = await startRestFixture();
  client = new OpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await fx?.stop();
  expect(fx.gw.logs.join('\n')).not.toContain(UPSTREAM_SECRET);
});

type UpstreamBody = { model: string; messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[]; [key: string]: unknown };
const lastUpstream = () => fx.mock.requests.at(-1)?.body as UpstreamBody;

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: false,
};

describe('POST /v1/responses through the openai SDK', () => {
  it('answers a string input with a full response object and usage', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Hi', ' there'], usage });
    const response = await client.responses.create({ model: MODEL, input: 'Say hi', instructions: 'Be brief.', max_output_tokens: 64, temperature: 0.3, top_p: 0.9 });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: MODEL, store: false, previous_response_id: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('Hi there');
    expect(response.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there', annotations: [], logprobs: [] }] },
    ]);
    expect(response.usage).toEqual({ input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 });
    expect(lastUpstream()).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.3,
      top_p: 0.9,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hi' },
      ],
    });
    expect(lastUpstream().max_tokens ?? lastUpstream().max_completion_tokens).toBe(64);
  });

  it('answers item input: messages with input_text parts, developer role, and text.format json_schema', async () => {
    fx.mock.script({ kind: 'text', chunks: ['{"ok":true}'], usage });
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
    const response = await client.responses.create({
      model: MODEL,
      input: [
        { role: 'developer', content: 'Answer in JSON.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Is it ' }, { type: 'input_text', text: 'ok?' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Maybe.', annotations: [] }], id: 'msg_prev', status: 'completed' },
        { role: 'user', content: 'Decide.' },
      ],
      text: { format: { type: 'json_schema', name: 'verdict', schema, strict: true } },
    });
    expect(response.output_text).toBe('{"ok":true}');
    expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'verdict' });
    const upstream = lastUpstream();
    expect(upstream.messages).toEqual([
      { role: 'system', content: 'Answer in JSON.' },
      { role: 'user', content: 'Is it ok?' },
      { role: 'assistant', content: 'Maybe.' },
      { role: 'user', content: 'Decide.' },
    ]);
    expect(upstream.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } });
  });

  it('streams the official event sequence, and responses.stream().finalResponse() assembles it', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Once', ' upon', ' a', ' time'], usage });
    const stream = client.responses.stream({ model: MODEL, input: 'Tell a story' });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Once upon a time');
    expect(final.status).toBe('completed');
    expect(final.usage?.total_tokens).toBe(17);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage).toMatchObject({ input_tokens: 12, output_tokens: 5, total_tokens: 17 });
    expect(completed.response.id).toBe((events[0] as OpenAI.Responses.ResponseCreatedEvent).response.id);
  });

  it('round-trips a function call: function_call out, then function_call_output in', async () => {
    fx.mock.script({ kind: 'tool-calls', calls: [{ id: 'call_1', name: 'get_weather', argumentChunks: ['{"city":', '"Paris"}'] }], usage });
    const first = await client.responses.create({ model: MODEL, input: 'Weather in Paris?', tools: [weatherTool], tool_choice: 'auto' });
    const calls = first.output.filter((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
    expect(calls).toEqual([{ type: 'function_call', id: expect.stringMatching(/^fc_/), status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(first.output_text).toBe('');
    expect(lastUpstream().tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: weatherTool.parameters } }]);

    fx.mock.script({ kind: 'text', chunks: ['Sunny in Paris.'], usage });
    const second = await client.responses.create({
      model: MODEL,
      tools: [weatherTool],
      input: [{ role: 'user', content: 'Weather in Paris?' }, ...calls, { type: 'function_call_output', call_id: 'call_1', output: '{"sky":"sunny"}' }],
    });
    expect(second.output_text).toBe('Sunny in Paris.');
    expect(lastUpstream().messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"sky":"sunny"}' },
    ]);
  });

  it('streams function calls with function_call_arguments.delta/done', async () => {
    fx.mock.script({
      kind: 'tool-calls',
      calls: [
        { id: 'call_a', name: 'get_weather', argumentChunks: ['{"city":', '"Oslo"}'] },
        { id: 'call_b', name: 'get_weather', argumentChunks: ['{"city":"Rome"}'] },
      ],
      usage,
    });
    const stream = client.responses.stream({ model: MODEL, input: 'Weather?', tools: [weatherTool] });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output.map((item) => item.type === 'function_call' && [item.call_id, item.arguments])).toEqual([
      ['call_a', '{"city":"Oslo"}'],
      ['call_b', '{"city":"Rome"}'],
    ]);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = events.filter((event): event is OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent => event.type === 'response.function_call_arguments.done');
    expect(done.map((event) => [event.output_index, event.arguments])).toEqual([
      [0, '{"city":"Oslo"}'],
      [1, '{"city":"Rome"}'],
    ]);
  });

  it('reports a cut-off answer as incomplete (max_output_tokens)', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Once upon'], finishReason: 'length', usage });
    const response = await client.responses.create({ model: MODEL, input: 'Tell a story', max_output_tokens: 16 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('works on the local provider too', async () => {
    const response = await client.responses.create({ model: 'local/echo', input: 'echo me' });
    expect(response.output_text).toContain('echo me');
  });

  describe('what a stateless gateway refuses, with a 400 naming the parameter', () => {
    const refused = (body: Record<string, unknown>) => refusedResponse(fx, client, MODEL, body);

    it('previous_response_id, conversation, item_reference', async () => {
      const previous = await refused({ previous_response_id: 'resp_123' });
      expect(previous).toMatchObject({ param: 'previous_response_id', type: 'invalid_request_error' });
      expect(previous.message).toContain('stateless');
      expect(await refused({ conversation: 'conv_1' })).toMatchObject({ param: 'conversation' });
      const reference = await refused({ input: [{ type: 'item_reference', id: 'msg_1' }] });
      expect(reference.param).toBe('input[0].type');
      expect(reference.message).toContain('stateless');
    });

    it('built-in tools, strict tools, include, unknown parameters', async () => {
      expect((await refused({ tools: [{ type: 'web_search' }] })).param).toBe('tools[0].type');
      expect((await refused({ tools: [{ ...weatherTool, strict: true }] })).param).toBe('tools[0].strict');
      expect((await refused({ include: ['message.output_text.logprobs'] })).param).toBe('include');
      expect((await refused({ top_logprobs: 5 })).param).toBe('top_logprobs');
      expect((await refused({ frobnicate: 1 })).param).toBe('frobnicate');
      const described = { type: 'json_schema', name: 'x', schema: { type: 'object' }, description: 'a thing' };
      expect((await refused({ text: { format: described } })).param).toBe('text.format.description');
    });

    it('accepts store: true as a no-op and says store: false', async () => {
      fx.mock.script({ kind: 'text', chunks: ['ok'], usage });
      const response = await client.responses.create({ model: MODEL, input: 'x', store: true, metadata: { run: '7' }, reasoning: {} });
      expect((response as unknown as { store: boolean }).store).toBe(false);
      expect(response.metadata).toEqual({ run: '7' });
    });
  });
});
