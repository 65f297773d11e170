import type { ProviderConfig } from '../config/config-schema.js';
import { createAnthropicProvider } from './anthropic/create-anthropic-provider.js';
import type { Provider } from './contract.js';
import { createGoogleProvider } from './google/create-google-provider.js';
import type { UpstreamTransport } from './http/send-upstream.js';
import { createLocalProvider } from './local/create-local-provider.js';
import { createOpenAIProvider } from './openai/create-openai-provider.js';

/** Builds the adapter a provider's `type` names. */
export function createProvider(config: ProviderConfig, transport: UpstreamTransport): Provider {
  const common = { id: config.id, headers: config.headers, ...(config.apiKey ? { apiKey: config.apiKey } : {}) };
  switch (config.type) {
    case 'openai':
      return createOpenAIProvider({ ...common, baseUrl: config.baseUrl ?? 'https://api.openai.com/v1' }, transport);
    case 'anthropic':
      return createAnthropicProvider(
        { ...common, ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), ...(config.defaultMaxTokens ? { defaultMaxTokens: config.defaultMaxTokens } : {}) },
        transport,
      );
    case 'google':
      return createGoogleProvider({ ...common, ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}) }, transport);
    case 'local':
      return createLocalProvider({ id: config.id, ...(config.tokenDelayMs === undefined ? {} : { tokenDelayMs: config.tokenDelayMs }) });
  }
}
