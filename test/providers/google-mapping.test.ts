import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/providers/contract.js';
import { createGoogleProvider } from '../../src/providers/google/create-google-provider.js';
import { mapGeminiFinishReason, toGeminiBody } from '../../src/providers/google/gemini-wire.js';
import { collectStream } from '../helpers/collect-stream.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { googleFormat } from './wire/google-format.js';

const toolTurn: ChatRequest = {
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'system', content: 'Use metric units.' },
    { role: 'user', content: 'Weather and time in Paris?' },
    {
      role: 'assistant',
      content: null,
      toolCalls: [
        { id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_t', name: 'get_time', arguments: '{"tz":' },
      ],
    },
    { role: 'tool', toolCallId: 'call_w', content: '{"celsius":21}' },
    { role: 'tool', toolCallId: 'call_t', content: '14:05' },
    { role: 'assistant', content: 'Sunny, 21 °C, 14:05.' },
  ],
};

describe('toGeminiBody', () => {
  it('lifts system messages into systemInstruction and maps roles', () => {
    const body = toGeminiBody(toolTurn);
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.\n\nUse metric units.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          // Truncated arguments still go back as an object.
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        // Both results share one user turn, each named after the call it answers.
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { content: { celsius: 21 } } } },
          { functionResponse: { name: 'get_time', response: { content: '14:05' } } },
        ],
      },
      { role: 'model', parts: [{ text: 'Sunny, 21 °C, 14:05.' }] },
    ]);
    expect(body).not.toHaveProperty('generationConfig');
    expect(body).not.toHaveProperty('tools');
  });

  it('maps sampling options, tools and a forced tool choice', () => {
    const body = toGeminiBody({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.3,
      topP: 0.9,
      maxTokens: 64,
      stop: ['END'],
      seed: 7,
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object' } }, { name: 'ping' }],
      toolChoice: { type: 'tool', name: 'get_weather' },
    });
    expect(body.generationConfig).toEqual({ temperature: 0.3, topP: 0.9, maxOutputTokens: 64, stopSequences: ['END'], seed: 7 });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather by city', parametersJsonSchema: { type: 'object' } },
          { name: 'ping' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it.each([
    [{ type: 'auto' }, 'AUTO'],
    [{ type: 'none' }, 'NONE'],
    [{ type: 'required' }, 'ANY'],
  ] as const)('maps tool choice %o to %s', (toolChoice, mode) => {
    const body = toGeminiBody({ model: 'm', messages: [{ role: 'user', content: 'hi' }], toolChoice });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode } });
  });

  it('asks for JSON output, with the schema for json_schema', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, additionalProperties: false };
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(toGeminiBody({ ...base, responseFormat: { type: 'json_object' } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
    expect(toGeminiBody({ ...base, responseFormat: { type: 'json_schema', name: 'r', schema } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
    expect(toGeminiBody({ ...base, responseFormat: { type: 'text' } })).not.toHaveProperty('generationConfig');
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', true, 'other'],
    [undefined, false, 'other'],
  ] as const)('%s (function call: %s) -> %s', (reason, sawCall, expected) => {
    expect(mapGeminiFinishReason(reason, sawCall)).toBe(expected);
  });
});

describe('google provider on the wire', () => {
  let mock: WireMock;
  const dispatcher = new Agent({ keepAliveTimeout: 1_000 });
  beforeAll(async () => {
    mock = await startWireMock(googleFormat, { frameSeparator: '\r\n\r\n' });
  });
  afterAll(async () => {
    await mock.close();
    await dispatcher.close();
  });

  it('puts the model and method in the path and the mapped body in the request', async () => {
    const provider = createGoogleProvider({ id: 'google', baseUrl: `${mock.origin}/v1beta/`, apiKey: 'k' }, { dispatcher });
    mock.script({ kind: 'text', chunks: ['Hi'], usage: { promptTokens: 2, completionTokens: 1 } });
    await collectStream(provider.stream(toolTurn, AbortSignal.timeout(5_000)));
    const streamed = mock.requests.at(-1);
    expect(streamed?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(streamed?.headers['content-type']).toBe('application/json');
    expect(streamed?.body).toEqual(JSON.parse(JSON.stringify(toGeminiBody(toolTurn))));
    expect(streamed?.body).not.toHaveProperty('model');

    const result = await provider.chat(toolTurn, AbortSignal.timeout(5_000));
    expect(mock.requests.at(-1)?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(result).toMatchObject({ id: 'gemini-mock-response-1', model: 'gemini-2.5-flash', content: 'Hi' });
  });
});
