/**
 * Reasoning, images and detailed usage on POST /v1/chat/completions, through the
 * official openai SDK with its default settings (retries on) against the real
 * gateway: an OpenAI-compatible reasoning upstream (DeepSeek-style
 * `reasoning_content`) and the offline local/think model.
 */
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_KEY, startRestFixture, UPSTREAM_SECRET, type RestFixture } from './gateway-fixture.js';
import { ONE_PIXEL_PNG as PNG } from '../helpers/media-samples.js';

const REASONER = 'oai/o4-mini';
const usage = { promptTokens: 120, completionTokens: 40, reasoningTokens: 30, cachedPromptTokens: 64 };
const reasoning = { chunks: ['The picture is', ' one red pixel.'] };

/** Chat Completions fields this gateway adds where OpenAI-compatible reasoning servers put them (not in the SDK's types). */
type WithReasoning<T> = T & { reasoning_content?: string };

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

const imageQuestion: OpenAI.Chat.Completions.ChatCompletionMessageParam = {
  role: 'user',
  content: [
    { type: 'text', text: 'What is in this picture?' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
  ],
};

describe('reasoning on /v1/chat/completions through the openai SDK', () => {
  it('sends an image with reasoning_effort and reads reasoning_content and usage details (non-streamed)', async () => {
    fx.mock.script({ kind: 'text', chunks: ['A red', ' pixel.'], reasoning, usage });
    const completion = await client.chat.completions.create({ model: REASONER, messages: [imageQuestion], reasoning_effort: 'low' });
    const message = completion.choices[0]?.message as WithReasoning<OpenAI.Chat.Completions.ChatCompletionMessage>;
    expect(message.content).toBe('A red pixel.');
    expect(message.reasoning_content).toBe('The picture is one red pixel.');
    expect(completion.usage).toEqual({
      prompt_tokens: 120,
      completion_tokens: 40,
      total_tokens: 160,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
    const upstream = fx.mock.requests.at(-1)?.body as { reasoning_effort: string; messages: { content: unknown }[] };
    expect(upstream.reasoning_effort).toBe('low');
    expect(upstream.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
    ]);
  });

  it('streams reasoning_content deltas before content deltas, and usage details in the last chunk', async () => {
    fx.mock.script({ kind: 'text', chunks: ['A red', ' pixel.'], reasoning, usage });
    const stream = client.chat.completions.stream({ model: REASONER, messages: [imageQuestion], stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('A red pixel.');
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta as WithReasoning<OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta> | undefined);
    const reasoningAt = deltas.flatMap((delta, index) => (delta?.reasoning_content ? [index] : []));
    const contentAt = deltas.flatMap((delta, index) => (delta?.content ? [index] : []));
    expect(deltas.map((delta) => delta?.reasoning_content ?? '').join('')).toBe('The picture is one red pixel.');
    expect(reasoningAt.length).toBeGreaterThan(0);
    expect(Math.max(...reasoningAt)).toBeLessThan(Math.min(...contentAt));
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 120,
      completion_tokens: 40,
      total_tokens: 160,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
  });

  it('answers without reasoning_content when the model gave none, with zero usage details', async () => {
    fx.mock.script({ kind: 'text', chunks: ['plain'], usage: { promptTokens: 3, completionTokens: 1 } });
    const completion = await client.chat.completions.create({ model: REASONER, messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message).not.toHaveProperty('reasoning_content');
    expect(completion.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
  });

  it('local/think: reasoning_content and reasoning tokens, streamed and not', async () => {
    const question = { role: 'user' as const, content: 'Why is the sky blue?' };
    const whole = await client.chat.completions.create({ model: 'local/think', messages: [question] });
    const message = whole.choices[0]?.message as WithReasoning<OpenAI.Chat.Completions.ChatCompletionMessage>;
    expect(message.reasoning_content).toContain('Why is the sky blue?');
    expect(message.content).toBe('You said: "Why is the sky blue?".');
    expect(whole.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({ model: 'local/think', messages: [question], stream: true, stream_options: { include_usage: true } });
    let reasoningText = '';
    let text = '';
    let usageChunk: OpenAI.Completions.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as WithReasoning<OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta> | undefined;
      if (delta?.reasoning_content) {
        expect(text).toBe('');
        reasoningText += delta.reasoning_content;
      }
      text += delta?.content ?? '';
      usageChunk = chunk.usage ?? usageChunk;
    }
    expect(reasoningText).toBe(message.reasoning_content);
    expect(text).toBe(message.content);
    expect(usageChunk?.completion_tokens_details?.reasoning_tokens).toBe(whole.usage?.completion_tokens_details?.reasoning_tokens);
  });

  it('takes reasoning_content back on assistant messages, and refuses it on others', async () => {
    fx.mock.script({ kind: 'text', chunks: ['ok'], usage });
    const history = [
      { role: 'user', content: 'Think first.' },
      { role: 'assistant', content: 'Done.', reasoning_content: 'I thought.' },
      { role: 'user', content: 'Again.' },
    ] as OpenAI.Chat.Completions.ChatCompletionMessageParam[];
    await client.chat.completions.create({ model: REASONER, messages: history });
    const upstream = fx.mock.requests.at(-1)?.body as { messages: Record<string, unknown>[] };
    // OpenAI-compatible servers want reasoning_content never sent back (DeepSeek refuses it): dropped upstream, not refused.
    expect(upstream.messages[1]).toEqual({ role: 'assistant', content: 'Done.' });

    const calls = fx.mock.requests.length;
    const refused = await client.chat.completions
      .create({ model: REASONER, messages: [{ role: 'user', content: 'x', reasoning_content: 'no' } as OpenAI.Chat.Completions.ChatCompletionMessageParam] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).param).toBe('messages[0].reasoning_content');
    expect(fx.mock.requests.length).toBe(calls);
  });
});
