import type { ModelCapability } from '../../config/config-schema.js';

/** The demo models the built-in `local` provider serves. */
export interface LocalModelSpec {
  upstream: 'echo' | 'lorem' | 'embed';
  description: string;
  capabilities: ModelCapability[];
}

export const LOCAL_MODELS: readonly LocalModelSpec[] = [
  {
    upstream: 'echo',
    description:
      'Demo model (built in, offline, free): repeats the last user message back, streamed token by token. Deterministic; real token counts.',
    capabilities: ['chat', 'streaming'],
  },
  {
    upstream: 'lorem',
    description:
      'Demo model (built in, offline, free): writes placeholder Latin text up to maxTokens (default 64), streamed token by token.',
    capabilities: ['chat', 'streaming'],
  },
  {
    upstream: 'embed',
    description: 'Demo embedding model (built in, offline, free): 16-dimension vectors from a hash of the text, deterministic.',
    capabilities: ['embeddings'],
  },
];
