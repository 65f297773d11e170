import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/providers/contract.js';
import { createGoogleProvider } from '../../src/providers/google/create-google-provider.js';
import { createThoughtCollector } from '../../src/providers/google/gemini-thoughts.js';
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

  it('continues a function-calling turn with thinking: each call gets its thought signature back, the thoughts stay out', async () => {
    const provider = createGoogleProvider({ id: 'google', baseUrl: `${mock.origin}/v1beta`, apiKey: 'k' }, { dispatcher });
    const tools = [{ name: 'get_weather' }, { name: 'get_time' }];
    const ask: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Weather and time in Paris?' }], tools, reasoning: { maxTokens: 2_048 } };
    mock.script(
      {
        kind: 'tool-calls',
        calls: [
          { id: 'ignored', name: 'get_weather', argumentChunks: ['{"city":"Paris"}'] },
          { id: 'ignored', name: 'get_time', argumentChunks: ['{"tz":"CET"}'] },
        ],
        reasoning: { chunks: ['**Planning**\n', 'Two lookups.'], signature: 'Q2lnLWZyb20tR2VtaW5p' },
        usage: { promptTokens: 30, completionTokens: 50, reasoningTokens: 40, cachedPromptTokens: 16 },
      },
      { kind: 'text', chunks: ['Sunny, 14:05.'], usage: { promptTokens: 60, completionTokens: 5 } },
    );
    const first = await provider.chat(ask, AbortSignal.timeout(5_000));
    expect(first.reasoning?.text).toBe('**Planning**\nTwo lookups.');
    expect(first.content).toBeNull();
    // Thoughts are billed as output: candidatesTokenCount (10) + thoughtsTokenCount (40).
    expect(first.usage).toEqual({ promptTokens: 30, completionTokens: 50, reasoningTokens: 40, cachedPromptTokens: 16 });

    await collectStream(
      provider.stream(
        {
          ...ask,
          messages: [
            ...ask.messages,
            { role: 'assistant', content: first.content, toolCalls: first.toolCalls, reasoning: first.reasoning },
            { role: 'tool', toolCallId: first.toolCalls[0]?.id, content: '{"celsius":21}' },
            { role: 'tool', toolCallId: first.toolCalls[1]?.id, content: '14:05' },
          ],
        },
        AbortSignal.timeout(5_000),
      ),
    );
    expect(mock.requests.at(-1)?.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'Q2lnLWZyb20tR2VtaW5p' },
            { functionCall: { name: 'get_time', args: { tz: 'CET' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { content: { celsius: 21 } } } },
            { functionResponse: { name: 'get_time', response: { content: '14:05' } } },
          ],
        },
      ],
      generationConfig: { thinkingConfig: { thinkingBudget: 2_048, includeThoughts: true } },
      tools: [{ functionDeclarations: [{ name: 'get_weather' }, { name: 'get_time' }] }],
    });
  });

  it('streamed thoughts are reasoning, never text', async () => {
    const provider = createGoogleProvider({ id: 'google', baseUrl: `${mock.origin}/v1beta`, apiKey: 'k' }, { dispatcher });
    mock.script({
      kind: 'text',
      chunks: ['Hi', ' there.'],
      reasoning: { chunks: ['A greeting.'], signature: 'dGV4dC1zaWc=' },
      usage: { promptTokens: 3, completionTokens: 9, reasoningTokens: 6 },
    });
    const streamed = await collectStream(provider.stream({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] }, AbortSignal.timeout(5_000)));
    expect(streamed.text).toBe('Hi there.');
    expect(streamed.reasoning).toBe('A greeting.');
    expect(streamed.usages).toEqual([{ promptTokens: 3, completionTokens: 9, reasoningTokens: 6 }]);
    const turn = toGeminiBody({
      model: 'm',
      messages: [{ role: 'assistant', content: streamed.text, reasoning: { text: streamed.reasoning, signature: streamed.reasoningSignature } }],
    });
    expect(turn.contents).toEqual([{ role: 'model', parts: [{ text: 'Hi there.', thoughtSignature: 'dGV4dC1zaWc=' }] }]);
  });
});

describe('Gemini thought signatures', () => {
  const signedTurn = () => {
    const thoughts = createThoughtCollector();
    thoughts.thought('Thinking.');
    thoughts.signText('text-sig');
    thoughts.signCall(1, 'call-sig');
    return thoughts.trace();
  };
  const modelTurn = (reasoning: ReturnType<typeof signedTurn>) =>
    (
      toGeminiBody({
        model: 'm',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Calling.', reasoning, toolCalls: [{ id: 'a', name: 'f', arguments: '{}' }, { id: 'b', name: 'g', arguments: '{}' }] },
        ],
      }).contents as unknown[]
    )[1];

  it('go back on the parts they came on: the text part and the n-th call', () => {
    expect(modelTurn(signedTurn())).toEqual({
      role: 'model',
      parts: [
        { text: 'Calling.', thoughtSignature: 'text-sig' },
        { functionCall: { name: 'f', args: {} } },
        { functionCall: { name: 'g', args: {} }, thoughtSignature: 'call-sig' },
      ],
    });
  });

  it('are not made up from another provider’s signature, or from none', () => {
    const plain = { role: 'model', parts: [{ text: 'Calling.' }, { functionCall: { name: 'f', args: {} } }, { functionCall: { name: 'g', args: {} } }] };
    expect(modelTurn({ text: 'Thinking.', signature: 'anthropic:W10' })).toEqual(plain);
    expect(modelTurn({ text: 'Thinking.' })).toEqual(plain);
    expect(modelTurn({ text: 'Thinking.', signature: 'google:not-json' })).toEqual(plain);
  });
});
