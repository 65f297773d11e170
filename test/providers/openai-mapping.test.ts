import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/providers/contract.js';
import { createOpenAIProvider } from '../../src/providers/openai/create-openai-provider.js';
import { reasoningTextOf, usageFromOpenAI } from '../../src/providers/openai/openai-wire.js';
import { collectStream } from '../helpers/collect-stream.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from './wire/openai-format.js';
import { WEATHER_TOOLS } from './adapter-fixtures.js';

describe('OpenAI-compatible reasoning and usage details', () => {
  it('reads reasoning from reasoning_content, else from a string reasoning', () => {
    expect(reasoningTextOf({ reasoning_content: 'DeepSeek style' })).toBe('DeepSeek style');
    expect(reasoningTextOf({ reasoning: 'OpenRouter style' })).toBe('OpenRouter style');
    // Servers that send both send the same text: it is read once.
    expect(reasoningTextOf({ reasoning_content: 'once', reasoning: 'once' })).toBe('once');
    expect(reasoningTextOf({ reasoning: { effort: 'low' } })).toBeUndefined();
    expect(reasoningTextOf({ reasoning_content: null, content: 'Hi' })).toBeUndefined();
    expect(reasoningTextOf({ reasoning_content: '' })).toBeUndefined();
  });

  it('reads reasoning and cached tokens from the usage details (and DeepSeek’s cache hits)', () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: 100,
        completion_tokens: 40,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 32 },
      }),
    ).toEqual({ promptTokens: 100, completionTokens: 40, reasoningTokens: 32, cachedPromptTokens: 64 });
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 2, prompt_cache_hit_tokens: 8 })).toEqual({
      promptTokens: 10,
      completionTokens: 2,
      cachedPromptTokens: 8,
    });
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: null })).toEqual({ promptTokens: 10, completionTokens: 2 });
  });
});

describe('OpenAI-compatible tool use with reasoning on the wire', () => {
  let mock: WireMock;
  const dispatcher = new Agent({ keepAliveTimeout: 1_000 });
  beforeAll(async () => {
    mock = await startWireMock(openaiFormat);
  });
  afterAll(async () => {
    await mock.close();
    await dispatcher.close();
  });

  it('decodes the reasoning of a tool-calling turn and never sends it back', async () => {
    const provider = createOpenAIProvider({ id: 'deepseek', baseUrl: `${mock.origin}/v1`, apiKey: 'k' }, { dispatcher });
    const tools = WEATHER_TOOLS;
    const ask: ChatRequest = { model: 'deepseek-reasoner', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, reasoning: { effort: 'low' } };
    mock.script(
      {
        kind: 'tool-calls',
        calls: [{ id: 'call_a', name: 'get_weather', argumentChunks: ['{"city":', '"Paris"}'] }],
        reasoning: { chunks: ['I need', ' the weather.'] },
        usage: { promptTokens: 20, completionTokens: 15, reasoningTokens: 9 },
      },
      { kind: 'text', chunks: ['Sunny.'], usage: { promptTokens: 40, completionTokens: 2 } },
    );
    const first = await collectStream(provider.stream(ask, AbortSignal.timeout(5_000)));
    expect(first.reasoning).toBe('I need the weather.');
    expect(first.reasoningSignature).toBeUndefined();
    expect(first.usages).toEqual([{ promptTokens: 20, completionTokens: 15, reasoningTokens: 9 }]);
    const [call] = first.toolCalls;
    if (!call) throw new Error('expected a tool call');

    await provider.chat(
      {
        ...ask,
        messages: [
          ...ask.messages,
          { role: 'assistant', content: null, toolCalls: [call], reasoning: { text: first.reasoning, signature: 'anthropic:W10' } },
          { role: 'tool', toolCallId: call.id, content: '{"celsius":21}' },
        ],
      },
      AbortSignal.timeout(5_000),
    );
    expect(mock.requests.at(-1)?.body).toEqual({
      model: 'deepseek-reasoner',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', content: '{"celsius":21}', tool_call_id: 'call_a' },
      ],
      reasoning_effort: 'low',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
  });
});
