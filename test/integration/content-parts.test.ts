/**
 * Images, files, audio and reasoning through the real gateway: the exact bodies
 * each provider's wire mock receives, capability refusals with no upstream call,
 * a route skipping a non-vision target, and the offline local/vision model.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { anthropicFormat } from '../providers/wire/anthropic-format.js';
import { googleFormat } from '../providers/wire/google-format.js';
import { openaiFormat } from '../providers/wire/openai-format.js';
import { ONE_PIXEL_PNG as PNG } from '../helpers/media-samples.js';

const CHAT = `mutation ($input: ChatInput!) { chat(input: $input) { message { content } attempts { model outcome reason } } }`;
const PDF = Buffer.from('%PDF-1.4 tiny').toString('base64');
const WAV = Buffer.from('RIFF....WAVEfmt ').toString('base64');
const PARTS = [
  { text: 'What is this?' },
  { image: { base64: PNG, mediaType: 'image/png', detail: 'HIGH' } },
  { image: { url: 'https://example.com/cat.jpg' } },
  { file: { base64: PDF, mediaType: 'application/pdf', name: 'doc.pdf' } },
];

let oai: WireMock;
let claude: WireMock;
let gem: WireMock;
let plain: WireMock;
let gw: RunningGateway;

beforeAll(async () => {
  [oai, claude, gem, plain] = await Promise.all([
    startWireMock(openaiFormat),
    startWireMock(anthropicFormat),
    startWireMock(googleFormat, { frameSeparator: '\r\n\r\n' }),
    startWireMock(openaiFormat),
  ]);
  gw = await startGateway(
    `
providers:
  - { id: oai, type: openai, baseUrl: "\${OAI}/v1", apiKey: k1 }
  - { id: claude, type: anthropic, baseUrl: "\${ANT}/v1", apiKey: k2 }
  - { id: gem, type: google, baseUrl: "\${GEM}/v1beta", apiKey: k3 }
  - { id: plain, type: openai, baseUrl: "\${PLAIN}/v1", apiKey: k4 }
  - { id: local, type: local }
models:
  - { provider: oai, upstream: gpt-4o }
  - { provider: oai, upstream: o4-mini }
  - { provider: claude, upstream: claude-haiku-4-5 }
  - { provider: gem, upstream: gemini-2.5-flash }
  - { provider: plain, upstream: text-only, capabilities: [chat, streaming] }
  - { provider: local, upstream: vision }
routes:
  - id: seeing
    strategy: fallback
    targets: [{ model: plain/text-only }, { model: oai/gpt-4o }]
`,
    { OAI: oai.origin, ANT: claude.origin, GEM: gem.origin, PLAIN: plain.origin },
  );
});

afterAll(async () => {
  await gw.stop();
  await Promise.all([oai, claude, gem, plain].map((mock) => mock.close()));
});

type ChatData = { chat: { message: { content: string }; attempts: { model: string; outcome: string; reason: string | null }[] } };
const chat = (input: Record<string, unknown>) => postGraphQL<ChatData, { input: Record<string, unknown> }>(gw.url, CHAT, { input });
function lastBody(mock: WireMock): Record<string, unknown> {
  return mock.requests.at(-1)?.body as Record<string, unknown>;
}

describe('parts on each provider wire', () => {
  it('OpenAI-compatible: image_url (data: URL, detail lower-case), file_data, reasoning_effort', async () => {
    const result = await chat({ model: 'oai/gpt-4o', messages: [{ role: 'USER', parts: PARTS }] });
    expect(result.body.errors).toBeUndefined();
    expect(lastBody(oai).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' } },
        ],
      },
    ]);
    await chat({ model: 'oai/o4-mini', messages: [{ role: 'USER', content: 'think' }], reasoning: { effort: 'LOW' } });
    expect(lastBody(oai).reasoning_effort).toBe('low');
  });

  it('Anthropic: image (base64 and url sources) and document blocks, thinking budget', async () => {
    const result = await chat({ model: 'claude/claude-haiku-4-5', messages: [{ role: 'USER', parts: PARTS }], reasoning: { effort: 'MEDIUM' } });
    expect(result.body.errors).toBeUndefined();
    const body = lastBody(claude);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'doc.pdf' },
        ],
      },
    ]);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(body.max_tokens).toBe(8192 + 4096);
  });

  it('Gemini: inlineData for bytes, thinkingConfig; a plain web URL is refused with no upstream call', async () => {
    const inline = PARTS.filter((part) => !part.image?.url);
    const result = await chat({ model: 'gem/gemini-2.5-flash', messages: [{ role: 'USER', parts: [...inline, { audio: { base64: WAV, format: 'wav' } }] }], reasoning: { maxTokens: 2000 } });
    expect(result.body.errors).toBeUndefined();
    const body = lastBody(gem);
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'What is this?' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { inlineData: { mimeType: 'application/pdf', data: PDF } },
          { inlineData: { mimeType: 'audio/wav', data: WAV } },
        ],
      },
    ]);
    expect(body.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 2000, includeThoughts: true } });

    const before = gem.requests.length;
    const refused = await chat({ model: 'gem/gemini-2.5-flash', messages: [{ role: 'USER', parts: PARTS }] });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gem.requests.length).toBe(before);
  });
});

describe('capabilities', () => {
  it('refuses a part the model lacks the capability for, naming model and part, with no upstream call', async () => {
    const before = plain.requests.length;
    const result = await chat({ model: 'plain/text-only', messages: [{ role: 'USER', parts: PARTS.slice(0, 2) }] });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0]?.message).toContain('model "plain/text-only" cannot take image parts (it lacks the VISION capability)');
    const audio = await chat({ model: 'oai/gpt-4o', messages: [{ role: 'USER', parts: [{ audio: { base64: WAV, format: 'wav' } }] }] });
    expect(audio.body.errors?.[0]?.message).toContain('AUDIO');
    const thinking = await chat({ model: 'plain/text-only', messages: [{ role: 'USER', content: 'hi' }], reasoning: { effort: 'HIGH' } });
    expect(thinking.body.errors?.[0]?.message).toContain('REASONING');
    expect(plain.requests.length).toBe(before);
  });

  it('a route skips the target without vision, reporting why', async () => {
    const before = plain.requests.length;
    const result = await chat({ model: 'seeing', messages: [{ role: 'USER', parts: PARTS.slice(0, 2) }] });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.chat.attempts).toEqual([
      { model: 'plain/text-only', outcome: 'SKIPPED', reason: 'model "plain/text-only" cannot take image parts (it lacks the VISION capability)' },
      { model: 'oai/gpt-4o', outcome: 'SUCCESS', reason: null },
    ]);
    expect(plain.requests.length).toBe(before);
  });

  it('content and parts together, and two @oneOf members in one part, are refused', async () => {
    const both = await chat({ model: 'oai/gpt-4o', messages: [{ role: 'USER', content: 'x', parts: [{ text: 'y' }] }] });
    expect(both.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const two = await chat({ model: 'oai/gpt-4o', messages: [{ role: 'USER', parts: [{ text: 'y', image: { url: 'https://example.com/a.png' } }] }] });
    expect(two.body.errors?.[0]?.message).toMatch(/OneOf|exactly one/i);
  });
});

describe('local/vision', () => {
  it('describes the parts it received, offline', async () => {
    const result = await chat({ model: 'local/vision', messages: [{ role: 'USER', parts: PARTS }] });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.chat.message.content).toBe(
      'I received 4 parts:\n1. text (13 characters)\n2. image (image/png, 70 bytes, detail high)\n3. image (media type not given, by URL https://example.com/cat.jpg, not fetched)\n4. file (application/pdf, 13 bytes, named doc.pdf)',
    );
  });
});

describe('/v1/chat/completions', () => {
  it('the openai SDK sends an image (data: URL) and a PDF; reasoning_effort reaches the upstream', async () => {
    const client = new OpenAI({ baseURL: `${gw.origin}/v1`, apiKey: 'unused' });
    const answer = await client.chat.completions.create({
      model: 'local/vision',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
            { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' } },
          ],
        },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe(
      'I received 3 parts:\n1. text (13 characters)\n2. image (image/png, 70 bytes, detail low)\n3. file (application/pdf, 13 bytes, named doc.pdf)',
    );
    await client.chat.completions.create({ model: 'oai/o4-mini', messages: [{ role: 'user', content: 'think' }], reasoning_effort: 'high' });
    expect(lastBody(oai).reasoning_effort).toBe('high');
  });
});

describe('budget reservations count images', () => {
  it('refuses an image-heavy request the budget cannot cover, with no upstream call, while the same text passes', async () => {
    const KEY = 'sbk_content-parts-0123456789abcdef';
    const priced = await startGateway(`
providers: [{ id: oai, type: openai, baseUrl: "${oai.origin}/v1", apiKey: k1 }]
models: [{ provider: oai, upstream: seer, capabilities: [chat, streaming, vision], pricing: { input: 10, output: 0 } }]
cache: { completions: { mode: off } }
auth:
  keys:
    - { id: picture-budget, secret: "${KEY}", scopes: [chat, models], limits: { budgetUsd: 0.05 } }
`);
    try {
      const headers = { headers: { authorization: `Bearer ${KEY}` } };
      const image = { image: { base64: PNG, mediaType: 'image/png' } };
      // 10 images × 1,105 tokens × $10 per million ≈ $0.11: more than the $0.05 budget.
      const heavy = { model: 'oai/seer', maxTokens: 1, messages: [{ role: 'USER', parts: [{ text: 'look' }, ...Array.from({ length: 10 }, () => image)] }] };
      const before = oai.requests.length;
      const refused = await postGraphQL<ChatData, { input: Record<string, unknown> }>(priced.url, CHAT, { input: heavy }, headers);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('BUDGET_EXCEEDED');
      expect(oai.requests.length).toBe(before);
      const light = await postGraphQL<ChatData, { input: Record<string, unknown> }>(priced.url, CHAT, { input: { ...heavy, messages: [{ role: 'USER', parts: [{ text: 'look' }] }] } }, headers);
      expect(light.body.errors).toBeUndefined();
      expect(oai.requests.length).toBe(before + 1);
    } finally {
      await priced.stop();
    }
  });
});
