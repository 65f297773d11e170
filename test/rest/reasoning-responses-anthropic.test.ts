/**
 * Multi-turn tool use with thinking through a stateless /v1/responses, on an
 * Anthropic wire mock: the signed thinking block comes out as a reasoning item
 * with `encrypted_content`, and the client sending the items back is enough for
 * the gateway to put the same block, signature intact, first in the assistant
 * turn it sends upstream next.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { anthropicFormat } from '../providers/wire/anthropic-format.js';

const MODEL = 'claude/claude-haiku-4-5';
const THINKING = 'The user wants the weather; I should call the tool.';
const usage = { promptTokens: 50, completionTokens: 20 };
const weather = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false };

let mock: WireMock;
let gw: RunningGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startWireMock(anthropicFormat);
  gw = await startGateway(
    `
providers:
  - { id: claude, type: anthropic, baseUrl: "\${ANT}/v1", apiKey: k }
models:
  - { provider: claude, upstream: claude-haiku-4-5 }
`,
    { ANT: mock.origin },
  );
  client = new OpenAI({ baseURL: `${gw.origin}/v1`, apiKey: 'unused' });
});

afterAll(async () => {
  await gw.stop();
  await mock.close();
});

type AnthropicBody = { messages: { role: string; content: { type: string; [key: string]: unknown }[] | string }[]; thinking?: unknown };

describe('thinking round trip through /v1/responses on Anthropic', () => {
  it('the signed thinking block goes back first in the assistant turn', async () => {
    mock.script({ kind: 'tool-calls', calls: [{ id: 'toolu_1', name: 'get_weather', argumentChunks: ['{"city":"Paris"}'] }], reasoning: { chunks: [THINKING], signature: 'sig-abc' }, usage });
    const first = await client.responses.create({ model: MODEL, input: 'Weather in Paris?', tools: [weather], reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] });
    // Anthropic says a few words before its tool call: a message item between the two.
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    const [reasoning] = first.output as OpenAI.Responses.ResponseReasoningItem[];
    expect(reasoning?.summary).toEqual([{ type: 'summary_text', text: THINKING }]);
    expect(reasoning?.encrypted_content).toMatch(/^anthropic:/);
    expect((mock.requests.at(-1)?.body as AnthropicBody).thinking).toMatchObject({ type: 'enabled' });

    mock.script({ kind: 'text', chunks: ['Sunny.'], usage });
    const second = await client.responses.create({
      model: MODEL,
      tools: [weather],
      reasoning: { effort: 'low' },
      input: [{ role: 'user', content: 'Weather in Paris?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: 'toolu_1', output: '{"sky":"sunny"}' }],
    });
    expect(second.output_text).toBe('Sunny.');
    const assistant = (mock.requests.at(-1)?.body as AnthropicBody).messages[1];
    expect(assistant?.role).toBe('assistant');
    const blocks = assistant?.content as { type: string }[];
    expect(blocks[0]).toEqual({ type: 'thinking', thinking: THINKING, signature: 'sig-abc' });
    expect(blocks.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
  });

  it('streamed: thinking_delta and signature_delta become a reasoning item with encrypted_content, which goes back the same', async () => {
    mock.script({ kind: 'tool-calls', calls: [{ id: 'toolu_2', name: 'get_weather', argumentChunks: ['{"city":', '"Oslo"}'] }], reasoning: { chunks: ['Need the', ' tool.'], signature: 'sig-xyz' }, usage });
    const first = await client.responses.stream({ model: MODEL, input: 'Weather in Oslo?', tools: [weather], reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] }).finalResponse();
    const [reasoning] = first.output as OpenAI.Responses.ResponseReasoningItem[];
    expect(reasoning?.summary).toEqual([{ type: 'summary_text', text: 'Need the tool.' }]);
    expect(reasoning?.encrypted_content).toMatch(/^anthropic:/);

    mock.script({ kind: 'text', chunks: ['Cloudy.'], usage });
    const input = [{ role: 'user' as const, content: 'Weather in Oslo?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output' as const, call_id: 'toolu_2', output: '{"sky":"cloudy"}' }];
    const second = await client.responses.stream({ model: MODEL, tools: [weather], reasoning: { effort: 'low' }, input }).finalResponse();
    expect(second.output_text).toBe('Cloudy.');
    const blocks = (mock.requests.at(-1)?.body as AnthropicBody).messages[1]?.content as { type: string }[];
    expect(blocks[0]).toEqual({ type: 'thinking', thinking: 'Need the tool.', signature: 'sig-xyz' });
  });
});
