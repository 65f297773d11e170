import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mapAnthropicStopReason,
  toAnthropicBody,
  usageFromAnthropic,
} from '../../src/providers/anthropic/anthropic-wire.js';
import { createAnthropicProvider } from '../../src/providers/anthropic/create-anthropic-provider.js';
import type { ChatRequest } from '../../src/providers/contract.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { anthropicFormat } from './wire/anthropic-format.js';

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
    ).toEqual({ promptTokens: 125, completionTokens: 9 });
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
});
