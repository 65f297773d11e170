import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mapAnthropicStopReason,
  toAnthropicBody,
  usageFromAnthropic,
} from '../../src/providers/anthropic/anthropic-wire.js';
import { createThinkingCollector, thinkingBlocksOf } from '../../src/providers/anthropic/anthropic-thinking.js';
import { createAnthropicProvider } from '../../src/providers/anthropic/create-anthropic-provider.js';
import type { ChatRequest } from '../../src/providers/contract.js';
import { collectStream } from '../helpers/collect-stream.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { anthropicFormat } from './wire/anthropic-format.js';
import { WEATHER_TOOLS } from './adapter-fixtures.js';

const weatherCall = { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
const timeCall = { id: 'toolu_2', name: 'get_time', arguments: 'not json' };

function body(extra: Partial<ChatRequest>, stream = false): Record<string, unknown> {
  return toAnthropicBody({ model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }], ...extra }, stream);
}

describe('toAnthropicBody', () => {
  it('lifts system messages into the top-level system string', () => {
    const wire = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'Use French.' },
      ],
    });
    expect(wire.system).toBe('Be brief.\n\nUse French.');
    expect(wire.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('requires max_tokens: the request value, else the default', () => {
    expect(body({ maxTokens: 50 }).max_tokens).toBe(50);
    expect(body({}).max_tokens).toBe(4096);
    expect(toAnthropicBody({ model: 'm', messages: [] }, false, 1024).max_tokens).toBe(1024);
  });

  it('turns tool calls into tool_use blocks and merges consecutive tool results into one user turn', () => {
    const wire = body({
      messages: [
        { role: 'user', content: 'Weather and time?' },
        { role: 'assistant', content: 'Checking.', toolCalls: [weatherCall, timeCall] },
        { role: 'tool', toolCallId: 'toolu_1', content: 'Sunny' },
        { role: 'tool', toolCallId: 'toolu_2', content: '12:00' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(wire.messages).toEqual([
      { role: 'user', content: 'Weather and time?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          // Arguments that are not JSON degrade to an empty object rather than failing the call.
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '12:00' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('omits the text block of an assistant turn with only tool calls', () => {
    const wire = body({ messages: [{ role: 'user', content: 'Go' }, { role: 'assistant', content: null, toolCalls: [weatherCall] }] });
    expect((wire.messages as { content: unknown }[])[1]?.content).toEqual([
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
  });

  it('maps tools and every tool choice', () => {
    const wire = body({ tools: [{ name: 'a', description: 'A tool' }, { name: 'b', parameters: { type: 'object' } }] });
    expect(wire.tools).toEqual([
      { name: 'a', description: 'A tool', input_schema: { type: 'object', properties: {} } },
      { name: 'b', input_schema: { type: 'object' } },
    ]);
    expect(body({ toolChoice: { type: 'auto' } }).tool_choice).toEqual({ type: 'auto' });
    expect(body({ toolChoice: { type: 'required' } }).tool_choice).toEqual({ type: 'any' });
    expect(body({ toolChoice: { type: 'none' } }).tool_choice).toEqual({ type: 'none' });
    expect(body({ toolChoice: { type: 'tool', name: 'a' } }).tool_choice).toEqual({ type: 'tool', name: 'a' });
  });

  it('maps sampling options and drops seed', () => {
    const wire = body({ temperature: 0.3, topP: 0.9, stop: ['END'], seed: 42, user: 'u-1' }, true);
    expect(wire).toMatchObject({ temperature: 0.3, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'u-1' }, stream: true });
    expect(wire).not.toHaveProperty('seed');
    expect(body({})).not.toHaveProperty('stream');
  });

  it('asks for JSON in the system prompt, with the schema when given', () => {
    const plain = body({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], responseFormat: { type: 'json_object' } });
    expect(plain.system).toMatch(/^Be brief\.\n\n.*single JSON object/);
    const schema = { type: 'object', properties: { n: { type: 'number' } } };
    const typed = body({ responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(typed.system).toContain(JSON.stringify(schema));
    expect(body({ responseFormat: { type: 'text' } })).not.toHaveProperty('system');
  });
});

describe('Anthropic response mapping', () => {
  it('maps stop reasons', () => {
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal', 'pause_turn', null].map(mapAnthropicStopReason)).toEqual([
      'stop',
      'stop',
      'length',
      'tool_calls',
      'content_filter',
      'other',
      'other',
    ]);
  });

  it('counts cached prompt tokens as prompt tokens', () => {
    expect(
      usageFromAnthropic({ input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 9 }),
    ).toEqual({ promptTokens: 125, completionTokens: 9, cachedPromptTokens: 100 });
  });
});

describe('Anthropic thinking blocks as a reasoning signature', () => {
  it('packs signed and redacted blocks in order, and rebuilds them exactly', () => {
    const collector = createThinkingCollector();
    expect(collector.startThinking('')).toBe('');
    collector.appendThinking('First, the weather.');
    collector.sign('sig-one');
    collector.redacted('opaque-redacted-data');
    expect(collector.startThinking('Then')).toBe('\n\nThen');
    collector.appendThinking(' the time.');
    collector.sign('sig-two');
    const trace = collector.trace();
    expect(trace?.text).toBe('First, the weather.\n\nThen the time.');
    expect(trace?.signature).toMatch(/^anthropic:[\w-]+$/);
    expect(thinkingBlocksOf(trace)).toEqual([
      { type: 'thinking', thinking: 'First, the weather.', signature: 'sig-one' },
      { type: 'redacted_thinking', data: 'opaque-redacted-data' },
      { type: 'thinking', thinking: 'Then the time.', signature: 'sig-two' },
    ]);
  });

  it('has no signature while a thinking block is unsigned (a stream cut short)', () => {
    const collector = createThinkingCollector();
    collector.startThinking('Half a thought');
    expect(collector.signature()).toBeUndefined();
    expect(collector.trace()).toEqual({ text: 'Half a thought' });
  });

  it('sends back only its own, intact reasoning', () => {
    const collector = createThinkingCollector();
    collector.startThinking('Think.');
    collector.sign('sig');
    const own = collector.trace();
    const turn = (reasoning: ChatRequest['messages'][number]['reasoning']) =>
      (body({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', reasoning }] }).messages as unknown[])[1];
    expect(turn(own)).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Think.', signature: 'sig' },
        { type: 'text', text: 'Hello' },
      ],
    });
    // Another provider's signature, none, an unreadable one, or edited text: the reasoning stays out.
    for (const foreign of [
      { text: 'Think.', signature: 'google:W10' },
      { text: 'Think.' },
      { text: 'Think.', signature: 'anthropic:not-json' },
      { text: 'Think again.', signature: own?.signature },
    ]) {
      expect(turn(foreign)).toEqual({ role: 'assistant', content: 'Hello' });
    }
  });
});

describe('Anthropic request on the wire', () => {
  let mock: WireMock;
  const dispatcher = new Agent();
  beforeAll(async () => {
    mock = await startWireMock(anthropicFormat);
  });
  afterAll(async () => {
    await mock.close();
    await dispatcher.close();
  });

  it('POSTs to /messages with the key, the API version and the mapped body', async () => {
    const provider = createAnthropicProvider({ id: 'anthropic', baseUrl: `${mock.origin}/v1/`, apiKey: 'k-1' }, { dispatcher });
    await provider.chat({ model: 'claude-x', messages: [{ role: 'system', content: 'Sys' }, { role: 'user', content: 'Hi' }] }, AbortSignal.timeout(5_000));
    const sent = mock.requests.at(-1);
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe('k-1');
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({ model: 'claude-x', max_tokens: 4096, system: 'Sys', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('continues a tool-use turn with thinking: the signed thinking block goes back first in the assistant turn', async () => {
    const provider = createAnthropicProvider({ id: 'anthropic', baseUrl: `${mock.origin}/v1`, apiKey: 'k-1' }, { dispatcher });
    const tools = WEATHER_TOOLS;
    const ask: ChatRequest = { model: 'claude-x', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, reasoning: { effort: 'low' } };
    mock.script(
      {
        kind: 'tool-calls',
        calls: [{ id: 'toolu_1', name: 'get_weather', argumentChunks: ['{"city":', '"Paris"}'] }],
        reasoning: { chunks: ['They want', ' the weather.'], signature: 'EqSig-from-Anthropic==' },
        usage: { promptTokens: 50, completionTokens: 20, cachedPromptTokens: 40 },
      },
      { kind: 'text', chunks: ['Sunny, 21 °C.'], usage: { promptTokens: 80, completionTokens: 6 } },
    );
    const first = await collectStream(provider.stream(ask, AbortSignal.timeout(5_000)));
    expect(first.reasoning).toBe('They want the weather.');
    // The prompt's tokens, cache reads included, are known from message_start.
    expect(first.partialUsages[0]).toEqual({ promptTokens: 50, completionTokens: 1, cachedPromptTokens: 40 });
    const [call] = first.toolCalls;
    if (!call) throw new Error('expected a tool call');

    await provider.chat(
      {
        ...ask,
        messages: [
          ...ask.messages,
          { role: 'assistant', content: first.text, toolCalls: [call], reasoning: { text: first.reasoning, signature: first.reasoningSignature } },
          { role: 'tool', toolCallId: call.id, content: '{"celsius":21}' },
        ],
      },
      AbortSignal.timeout(5_000),
    );
    expect(mock.requests.at(-1)?.body).toEqual({
      model: 'claude-x',
      max_tokens: 4_096 + 4_096,
      thinking: { type: 'enabled', budget_tokens: 4_096 },
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'They want the weather.', signature: 'EqSig-from-Anthropic==' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"celsius":21}' }] },
      ],
    });
  });
});
