import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { toChatRequest, type ChatInputShape } from '../../src/schema/to-chat-request.js';

/** The smallest valid input, with `extra` merged in. */
function input(extra: Partial<ChatInputShape> = {}): ChatInputShape {
  return { model: 'local/echo', messages: [{ role: 'user', content: 'hi' }], ...extra };
}

/** Expects toChatRequest to refuse `shape` with BAD_USER_INPUT naming `field`. */
function expectRefused(shape: ChatInputShape, field: string): GatewayError {
  let caught: unknown;
  try {
    toChatRequest(shape);
  } catch (error: unknown) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  const error = caught as GatewayError;
  expect(error.code).toBe('BAD_USER_INPUT');
  expect(error.details.field).toBe(field);
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  return error;
}

const WEATHER_TOOL = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

describe('toChatRequest: messages', () => {
  it('refuses an empty message list', () => {
    expectRefused(input({ messages: [] }), 'input.messages');
  });

  it('refuses more than 2000 messages', () => {
    const messages = Array.from({ length: 2_001 }, () => ({ role: 'user' as const, content: 'x' }));
    expectRefused(input({ messages }), 'input.messages');
  });

  it('refuses a TOOL message without toolCallId', () => {
    expectRefused(
      input({ messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: '{"ok":true}', toolCallId: null }] }),
      'input.messages[1].toolCallId',
    );
  });

  it('refuses null content on a message without toolCalls', () => {
    expectRefused(input({ messages: [{ role: 'user', content: null }] }), 'input.messages[0].content');
    expectRefused(input({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, toolCalls: [] }] }), 'input.messages[1].content');
  });

  it('refuses toolCalls on a message that is not ASSISTANT', () => {
    expectRefused(
      input({ messages: [{ role: 'user', content: 'hi', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] }] }),
      'input.messages[0].toolCalls',
    );
  });

  it('accepts an ASSISTANT message with toolCalls and no content', () => {
    const request = toChatRequest(
      input({
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
          { role: 'tool', content: '{"temp":3}', toolCallId: 'c1' },
        ],
      }),
    );
    expect(request.messages[1]).toEqual({ role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    expect(request.messages[2]).toEqual({ role: 'tool', content: '{"temp":3}', toolCallId: 'c1' });
  });
});

describe('toChatRequest: sampling parameters', () => {
  it.each([-0.1, 2.01, Number.NaN])('refuses temperature %s', (temperature) => {
    expectRefused(input({ temperature }), 'input.temperature');
  });

  it.each([0, 2])('accepts temperature %s', (temperature) => {
    expect(toChatRequest(input({ temperature })).temperature).toBe(temperature);
  });

  it.each([-0.01, 1.5])('refuses topP %s', (topP) => {
    expectRefused(input({ topP }), 'input.topP');
  });

  it.each([0, -5])('refuses maxTokens %s', (maxTokens) => {
    expectRefused(input({ maxTokens }), 'input.maxTokens');
  });

  it('accepts maxTokens 1', () => {
    expect(toChatRequest(input({ maxTokens: 1 })).maxTokens).toBe(1);
  });

  it('refuses more than 16 stop sequences', () => {
    expectRefused(input({ stop: Array.from({ length: 17 }, (_, index) => `s${index}`) }), 'input.stop');
    expect(toChatRequest(input({ stop: Array.from({ length: 16 }, (_, index) => `s${index}`) })).stop).toHaveLength(16);
  });

  it('leaves null options out', () => {
    const request = toChatRequest(
      input({ temperature: null, topP: null, maxTokens: null, stop: null, seed: null, tools: null, toolChoice: null, responseFormat: null, user: null }),
    );
    expect(request).toEqual({ model: 'local/echo', messages: [{ role: 'user', content: 'hi' }] });
  });
});

describe('toChatRequest: tools', () => {
  it.each(['', 'has space', 'dots.not.allowed', 'x'.repeat(65)])('refuses the tool name %j', (name) => {
    expectRefused(input({ tools: [WEATHER_TOOL, { name }] }), 'input.tools[1].name');
  });

  it('refuses a tool declared twice', () => {
    const error = expectRefused(input({ tools: [WEATHER_TOOL, { name: 'get_weather' }] }), 'input.tools[1].name');
    expect(error.message).toContain('get_weather');
  });

  it.each([['a string'], [[{ type: 'object' }]], [42]])('refuses non-object parameters %j', (parameters) => {
    expectRefused(input({ tools: [{ name: 'f', parameters }] }), 'input.tools[0].parameters');
  });

  it('refuses toolChoice TOOL without a name', () => {
    expectRefused(input({ tools: [WEATHER_TOOL], toolChoice: { mode: 'tool', name: null } }), 'input.toolChoice.name');
  });

  it('refuses toolChoice TOOL naming a tool that is not declared', () => {
    expectRefused(input({ tools: [WEATHER_TOOL], toolChoice: { mode: 'tool', name: 'get_time' } }), 'input.toolChoice.name');
    expectRefused(input({ toolChoice: { mode: 'tool', name: 'get_time' } }), 'input.toolChoice.name');
  });

  it('maps the other tool choice modes', () => {
    for (const mode of ['auto', 'none', 'required'] as const) {
      expect(toChatRequest(input({ tools: [WEATHER_TOOL], toolChoice: { mode } })).toolChoice).toEqual({ type: mode });
    }
  });
});

describe('toChatRequest: responseFormat', () => {
  it('refuses JSON_SCHEMA without a schema', () => {
    expectRefused(input({ responseFormat: { type: 'json_schema', name: 'answer' } }), 'input.responseFormat.schema');
    expectRefused(input({ responseFormat: { type: 'json_schema', name: 'answer', schema: [1] } }), 'input.responseFormat.schema');
  });

  it('refuses JSON_SCHEMA without a valid name', () => {
    expectRefused(input({ responseFormat: { type: 'json_schema', schema: { type: 'object' } } }), 'input.responseFormat.name');
    expectRefused(input({ responseFormat: { type: 'json_schema', name: 'bad name', schema: { type: 'object' } } }), 'input.responseFormat.name');
  });

  it('maps TEXT and JSON_OBJECT', () => {
    expect(toChatRequest(input({ responseFormat: { type: 'text' } })).responseFormat).toEqual({ type: 'text' });
    expect(toChatRequest(input({ responseFormat: { type: 'json_object' } })).responseFormat).toEqual({ type: 'json_object' });
  });
});

describe('toChatRequest: a full valid input', () => {
  it('maps every field', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const shape: ChatInputShape = {
      model: 'demo',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?', name: 'alice' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: '{"temp":3}', toolCallId: 'call_1' },
      ],
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 256,
      stop: ['END', '\n\n'],
      seed: 42,
      tools: [WEATHER_TOOL, { name: 'get_time', description: null, parameters: null }],
      toolChoice: { mode: 'tool', name: 'get_weather' },
      responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true },
      user: 'user-123',
    };
    expect(toChatRequest(shape)).toEqual({
      model: 'demo',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?', name: 'alice' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: '{"temp":3}', toolCallId: 'call_1' },
      ],
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 256,
      stop: ['END', '\n\n'],
      seed: 42,
      tools: [WEATHER_TOOL, { name: 'get_time' }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true },
      user: 'user-123',
    });
  });

  it('copies the stop list rather than sharing the input array', () => {
    const stop = ['END'];
    const request = toChatRequest(input({ stop }));
    stop.push('MORE');
    expect(request.stop).toEqual(['END']);
  });

  it('keeps seed 0 and temperature 0', () => {
    const request = toChatRequest(input({ seed: 0, temperature: 0 }));
    expect(request.seed).toBe(0);
    expect(request.temperature).toBe(0);
  });
});
