import type { ModelCapability } from '../../config/config-schema.js';

/** The demo models the built-in `local` provider serves. */
export interface LocalModelSpec {
  upstream: 'echo' | 'lorem' | 'tools' | 'vision' | 'think' | 'embed';
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
    upstream: 'tools',
    description:
      'Demo model (built in, offline, free) for tool calling: given tools, it streams a call of the first one (or the one toolChoice names) with the last user message as its first string argument; given the tool results, it answers in text with them.',
    capabilities: ['chat', 'streaming', 'tools'],
  },
  {
    upstream: 'vision',
    description:
      'Demo model (built in, offline, free) that "sees": describes the parts of the last user message (type, media type, size) instead of looking at them. Takes images, files and audio.',
    capabilities: ['chat', 'streaming', 'vision', 'files', 'audio'],
  },
  {
    upstream: 'think',
    description:
      'Demo reasoning model (built in, offline, free): streams a short, deterministic reasoning about the last user message, signs it, then answers. Send its reasoning back on the next assistant turn and it says it recalls it. Reports reasoning tokens.',
    capabilities: ['chat', 'streaming', 'reasoning'],
  },
  {
    upstream: 'embed',
    description: 'Demo embedding model (built in, offline, free): 16-dimension vectors from a hash of the text, deterministic.',
    capabilities: ['embeddings'],
  },
];
