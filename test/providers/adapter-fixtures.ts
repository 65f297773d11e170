import type { Provider } from '../../src/providers/contract.js';
import type { UpstreamTransport } from '../../src/providers/http/send-upstream.js';
import { createOpenAIProvider } from '../../src/providers/openai/create-openai-provider.js';
import type { WireFormat } from '../helpers/scenario.js';
import { openaiFormat } from './wire/openai-format.js';

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
}

export const adapterFixtures: AdapterFixture[] = [
  {
    name: 'openai',
    format: openaiFormat,
    model: 'gpt-4o-mini',
    create: (origin, transport) =>
      createOpenAIProvider({ id: 'openai', baseUrl: `${origin}/v1`, apiKey: FIXTURE_API_KEY }, transport),
    authHeaderOf: (headers) => String(headers.authorization ?? '').replace(/^Bearer /, ''),
  },
];
