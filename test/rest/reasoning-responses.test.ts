/**
 * Reasoning items, encrypted_content round trips, media parts and detailed usage
 * on POST /v1/responses, through the official openai SDK with its default
 * settings (retries on) against the real gateway.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_KEY, refusedResponse, startRestFixture, UPSTREAM_SECRET, type RestFixture } from './gateway-fixture.js';
import { ONE_PIXEL_PNG as PNG } from '../helpers/media-samples.js';

const REASONER = 'oai/o4-mini';
const PDF = Buffer.from('%PDF-1.4 tiny').toString('base64');
const usage = { promptTokens: 120, completionTokens: 40, reasoningTokens: 30, cachedPromptTokens: 64 };
const reasoning = { chunks: ['First,', ' count the', ' words.'] };
const ENCRYPTED = ['reasoning.encrypted_content' as const];

let fx: RestFixture;
let client: OpenAI;

beforeAll(async () => {
  fx = await startRestFixture({ models: `  - { provider: oai, upstream: o4-mini }` });
  client = new OpenAI({ baseURL: fx.baseURL, apiKey: FULL_KEY });
});

afterAll(async () => {
  await fx?.stop();
  expect(fx.gw.logs.join('\n')).not.toContain(UPSTREAM_SECRET);
});

type Upstream = { reasoning_effort?: string; messages: { role: string; content: unknown }[] };
const lastUpstream = () => fx.mock.requests.at(-1)?.body as Upstream;
/** Output items sent back as input (the SDK's output union includes hosted-tool items no input type takes). */
const asInput = (items: readonly OpenAI.Responses.ResponseOutputItem[]) => items as OpenAI.Responses.ResponseInputItem[];
const reasoningItems = (response: OpenAI.Responses.Response) => response.output.filter((item): item is OpenAI.Responses.ResponseReasoningItem => item.type === 'reasoning');

const refusal = (body: Record<string, unknown>) => refusedResponse(fx, client, REASONER, body);

describe('reasoning on /v1/responses through the openai SDK', () => {
  it('create: a reasoning item before the message, reasoning.effort forwarded, usage details', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Three', ' words.'], reasoning, usage });
    const response = await client.responses.create({ model: REASONER, input: 'How many words: a b c?', reasoning: { effort: 'high', summary: 'auto' } });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const [item] = reasoningItems(response);
    expect(item).toEqual({ type: 'reasoning', id: expect.stringMatching(/^rs_/), status: 'completed', summary: [{ type: 'summary_text', text: 'First, count the words.' }] });
    expect(response.output_text).toBe('Three words.');
    expect(response.reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(response.usage).toEqual({
      input_tokens: 120,
      input_tokens_details: { cached_tokens: 64 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 30 },
      total_tokens: 160,
    });
    expect(lastUpstream().reasoning_effort).toBe('high');
  });

  it('stream: reasoning summary events before the message, and the SDK assembles both', async () => {
    fx.mock.script({ kind: 'text', chunks: ['Three', ' words.'], reasoning, usage });
    const stream = client.responses.stream({ model: REASONER, input: 'How many words: a b c?' });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const deltas = events.filter((event): event is OpenAI.Responses.ResponseReasoningSummaryTextDeltaEvent => event.type === 'response.reasoning_summary_text.delta');
    expect(deltas.map((event) => [event.output_index, event.summary_index, event.delta])).toEqual([
      [0, 0, 'First,'],
      [0, 0, ' count the'],
      [0, 0, ' words.'],
    ]);
    expect(reasoningItems(final)[0]?.summary).toEqual([{ type: 'summary_text', text: 'First, count the words.' }]);
    expect(final.output_text).toBe('Three words.');
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(30);
    expect(final.usage?.input_tokens_details.cached_tokens).toBe(64);
  });

  it('a reasoning item, then tool calls: the reasoning item comes first', async () => {
    fx.mock.script({ kind: 'tool-calls', calls: [{ id: 'call_1', name: 'count', argumentChunks: ['{"text":"a b c"}'] }], reasoning, usage });
    const tools = [{ type: 'function' as const, name: 'count', parameters: { type: 'object', properties: { text: { type: 'string' } } }, strict: false }];
    const final = await client.responses.stream({ model: REASONER, input: 'Count a b c', tools }).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
  });

  describe('encrypted_content round trip (stateless), on local/think', () => {
    const question = { role: 'user' as const, content: 'Why is the sky blue?' };
    const followUp = { role: 'user' as const, content: 'And at sunset?' };

    it('create: the item carries the signature only when included, and brings it back on the next turn', async () => {
      const plain = await client.responses.create({ model: 'local/think', input: [question] });
      expect(reasoningItems(plain)[0]).not.toHaveProperty('encrypted_content');

      const first = await client.responses.create({ model: 'local/think', input: [question], include: ENCRYPTED });
      const [item] = reasoningItems(first);
      expect(item?.encrypted_content).toMatch(/^local:/);
      expect(item?.summary[0]?.text).toContain('Why is the sky blue?');

      const second = await client.responses.create({ model: 'local/think', input: [question, ...asInput(first.output), followUp], include: ENCRYPTED });
      expect(second.output_text).toMatch(/^I recall my earlier reasoning/);

      // Edited reasoning under the same signature is noticed: the text really went back with it.
      const edited = { ...item, summary: [{ type: 'summary_text' as const, text: 'Something else.' }] } as OpenAI.Responses.ResponseReasoningItem;
      const third = await client.responses.create({ model: 'local/think', input: [question, edited, ...asInput(first.output.slice(1)), followUp] });
      expect(third.output_text).toMatch(/altered/);
    });

    it('stream: encrypted_content arrives on the reasoning item, and the round trip works', async () => {
      const stream = client.responses.stream({ model: 'local/think', input: [question], include: ENCRYPTED });
      const done: OpenAI.Responses.ResponseOutputItemDoneEvent[] = [];
      stream.on('response.output_item.done', (event) => done.push(event));
      const first = await stream.finalResponse();
      const reasoningDone = done.find((event) => event.item.type === 'reasoning');
      expect((reasoningDone?.item as OpenAI.Responses.ResponseReasoningItem | undefined)?.encrypted_content).toMatch(/^local:/);
      expect(reasoningItems(first)[0]?.encrypted_content).toBe((reasoningDone?.item as OpenAI.Responses.ResponseReasoningItem).encrypted_content);

      const second = await client.responses.stream({ model: 'local/think', input: [question, ...asInput(first.output), followUp] }).finalResponse();
      expect(second.output_text).toMatch(/^I recall my earlier reasoning/);
    });

    it('a reasoning item must be followed by its assistant output', async () => {
      const orphan = { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'hm' }] };
      expect(await refusal({ input: [orphan, { role: 'user', content: 'x' }] })).toMatchObject({ param: 'input[0]' });
      expect(await refusal({ input: [{ role: 'user', content: 'x' }, orphan] })).toMatchObject({ param: 'input[1]' });
    });
  });

  describe('media parts', () => {
    it('input_image (URL and data: URL) and input_file reach the upstream as image_url and file parts', async () => {
      fx.mock.script({ kind: 'text', chunks: ['A pixel and a PDF.'], usage });
      const response = await client.responses.create({
        model: REASONER,
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What are these?' },
              { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'high' },
              { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
              { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' },
            ],
          },
        ],
      });
      expect(response.output_text).toBe('A pixel and a PDF.');
      expect(lastUpstream().messages[0]?.content).toEqual([
        { type: 'text', text: 'What are these?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'auto' } },
        { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' } },
      ]);
    });

    it('refuses what a stateless gateway that fetches nothing cannot take, naming the field', async () => {
      const user = (part: Record<string, unknown>) => ({ input: [{ role: 'user', content: [part] }] });
      expect(await refusal(user({ type: 'input_image', file_id: 'file-1', detail: 'auto' }))).toMatchObject({ param: 'input[0].content[0].file_id' });
      expect(await refusal(user({ type: 'input_file', file_url: 'https://example.com/a.pdf' }))).toMatchObject({ param: 'input[0].content[0].file_url' });
      expect(await refusal(user({ type: 'input_file', file_data: 'not a data url' }))).toMatchObject({ param: 'input[0].content[0].file_data' });
      const onAssistant = await refusal({ input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }] }] });
      expect(onAssistant.param).toBe('input[0].content[0].type');
    });

    it('refuses an include it cannot honour and an effort it does not know', async () => {
      expect(await refusal({ include: ['message.output_text.logprobs'] })).toMatchObject({ param: 'include' });
      expect(await refusal({ reasoning: { effort: 'ultra' } })).toMatchObject({ param: 'reasoning.effort' });
    });
  });
});
