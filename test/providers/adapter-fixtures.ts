import { createAnthropicProvider } from '../../src/providers/anthropic/create-anthropic-provider.js';
import type { Provider, TokenUsage, ToolDefinition } from '../../src/providers/contract.js';
import { createGoogleProvider } from '../../src/providers/google/create-google-provider.js';
import type { UpstreamTransport } from '../../src/providers/http/send-upstream.js';
import { createOpenAIProvider } from '../../src/providers/openai/create-openai-provider.js';
import type { WireFormat } from '../helpers/scenario.js';
import { anthropicFormat } from './wire/anthropic-format.js';
import { googleFormat } from './wire/google-format.js';
import { openaiFormat } from './wire/openai-format.js';

/** The one tool the tool-use cases offer: weather by city. */
export const WEATHER_TOOLS: ToolDefinition[] = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];

/** The secret every fixture configures; tests assert it never leaks into errors. */
export const FIXTURE_API_KEY = 'sk-fixture-secret-0123456789';

/** One upstream adapter under the contract suite: how to build it and how its upstream speaks. */
export interface AdapterFixture {
  name: string;
  format: WireFormat;
  frameSeparator?: string;
  /** The model name the adapter is asked for. */
  model: string;
  create(origin: string, transport: UpstreamTransport): Provider;
  /** Asserts the credentials reached the upstream the provider's way. */
  authHeaderOf(headers: Record<string, string | string[] | undefined>): string | undefined;
  /** The usage the adapter reports for a scenario's: what the provider's wire format can say of it. */
  reportedUsage(usage: TokenUsage): TokenUsage;
  /** How the adapter's reasoning signatures start; undefined when the provider signs no reasoning. */
  signaturePrefix?: string;
}

export const adapterFixtures: AdapterFixture[] = [
  {
    name: 'openai',
    format: openaiFormat,
    model: 'gpt-4o-mini',
    create: (origin, transport) =>
      createOpenAIProvider({ id: 'openai', baseUrl: `${origin}/v1`, apiKey: FIXTURE_API_KEY }, transport),
    authHeaderOf: (headers) => String(headers.authorization ?? '').replace(/^Bearer /, ''),
    reportedUsage: (usage) => usage,
  },
  {
    name: 'anthropic',
    format: anthropicFormat,
    model: 'claude-sonnet-4-5',
    create: (origin, transport) =>
      createAnthropicProvider({ id: 'anthropic', baseUrl: `${origin}/v1`, apiKey: FIXTURE_API_KEY }, transport),
    authHeaderOf: (headers) => {
      const key = headers['x-api-key'];
      return Array.isArray(key) ? key[0] : key;
    },
    // Anthropic always reports cache reads (0 when none) and never counts thinking apart from output.
    reportedUsage: ({ reasoningTokens: _notReported, ...usage }) => ({ cachedPromptTokens: 0, ...usage }),
    signaturePrefix: 'anthropic:',
  },
  {
    name: 'google',
    format: googleFormat,
    // Gemini frames its SSE events with CRLF.
    frameSeparator: '\r\n\r\n',
    model: 'gemini-2.5-flash',
    create: (origin, transport) =>
      createGoogleProvider({ id: 'google', baseUrl: `${origin}/v1beta`, apiKey: FIXTURE_API_KEY }, transport),
    authHeaderOf: (headers) => {
      const key = headers['x-goog-api-key'];
      return Array.isArray(key) ? key[0] : key;
    },
    reportedUsage: (usage) => usage,
    signaturePrefix: 'google:',
  },
];
