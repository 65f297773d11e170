import type { ProviderType } from '../providers/contract.js';
import type { ModelCapability } from './config-schema.js';

/** What the gateway knows about a well-known model when the config does not say. */
export interface CatalogEntry {
  contextWindow: number;
  /** Absent for embedding models: they produce vectors, not tokens. */
  maxOutputTokens?: number;
  /** USD per million tokens, list price at the time of writing. */
  pricing: { input: number; output: number };
  capabilities: ModelCapability[];
  description?: string;
}

const CHAT: ModelCapability[] = ['chat', 'streaming', 'tools', 'json'];
const CHAT_VISION: ModelCapability[] = [...CHAT, 'vision'];
/** Images and PDFs (OpenAI `file` parts, Anthropic `document` blocks). */
const CHAT_DOCS: ModelCapability[] = [...CHAT_VISION, 'files'];
const CHAT_DOCS_REASONING: ModelCapability[] = [...CHAT_DOCS, 'reasoning'];
/** Gemini takes images, PDFs and audio inline, and thinks. */
const GEMINI: ModelCapability[] = [...CHAT_DOCS, 'audio', 'reasoning'];
const EMBEDDINGS: ModelCapability[] = ['embeddings'];

/**
 * Defaults keyed by the provider's own model name. Prices move: a `pricing`
 * block in the config always wins. Used to fill in configured models and to
 * list models for providers added from `*_API_KEY` environment variables.
 */
export const MODEL_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  'gpt-4o': { contextWindow: 128_000, maxOutputTokens: 16_384, pricing: { input: 2.5, output: 10 }, capabilities: CHAT_DOCS },
  'gpt-4o-mini': { contextWindow: 128_000, maxOutputTokens: 16_384, pricing: { input: 0.15, output: 0.6 }, capabilities: CHAT_DOCS },
  'gpt-4.1': { contextWindow: 1_047_576, maxOutputTokens: 32_768, pricing: { input: 2, output: 8 }, capabilities: CHAT_DOCS },
  'gpt-4.1-mini': { contextWindow: 1_047_576, maxOutputTokens: 32_768, pricing: { input: 0.4, output: 1.6 }, capabilities: CHAT_DOCS },
  'gpt-4.1-nano': { contextWindow: 1_047_576, maxOutputTokens: 32_768, pricing: { input: 0.1, output: 0.4 }, capabilities: CHAT_DOCS },
  'claude-sonnet-4-5': { contextWindow: 200_000, maxOutputTokens: 64_000, pricing: { input: 3, output: 15 }, capabilities: CHAT_DOCS_REASONING },
  'claude-haiku-4-5': { contextWindow: 200_000, maxOutputTokens: 64_000, pricing: { input: 1, output: 5 }, capabilities: CHAT_DOCS_REASONING },
  'claude-opus-4-1': { contextWindow: 200_000, maxOutputTokens: 32_000, pricing: { input: 15, output: 75 }, capabilities: CHAT_DOCS_REASONING },
  'gemini-2.5-pro': { contextWindow: 1_048_576, maxOutputTokens: 65_536, pricing: { input: 1.25, output: 10 }, capabilities: GEMINI },
  'gemini-2.5-flash': { contextWindow: 1_048_576, maxOutputTokens: 65_536, pricing: { input: 0.3, output: 2.5 }, capabilities: GEMINI },
  'gemini-2.5-flash-lite': { contextWindow: 1_048_576, maxOutputTokens: 65_536, pricing: { input: 0.1, output: 0.4 }, capabilities: GEMINI },
  'llama-3.1-8b-instant': { contextWindow: 131_072, maxOutputTokens: 131_072, pricing: { input: 0.05, output: 0.08 }, capabilities: CHAT },
  'llama-3.3-70b-versatile': { contextWindow: 131_072, maxOutputTokens: 32_768, pricing: { input: 0.59, output: 0.79 }, capabilities: CHAT },
  'mistral-small-latest': { contextWindow: 128_000, maxOutputTokens: 32_768, pricing: { input: 0.1, output: 0.3 }, capabilities: CHAT },
  'mistral-large-latest': { contextWindow: 128_000, maxOutputTokens: 32_768, pricing: { input: 2, output: 6 }, capabilities: CHAT },
  'gpt-4o-audio-preview': { contextWindow: 128_000, maxOutputTokens: 16_384, pricing: { input: 2.5, output: 10 }, capabilities: [...CHAT, 'audio'] },
  'o4-mini': { contextWindow: 200_000, maxOutputTokens: 100_000, pricing: { input: 1.1, output: 4.4 }, capabilities: [...CHAT_DOCS, 'reasoning'] },
  'deepseek-reasoner': { contextWindow: 128_000, maxOutputTokens: 65_536, pricing: { input: 0.28, output: 0.42 }, capabilities: ['chat', 'streaming', 'reasoning'] },
  'deepseek-chat': { contextWindow: 128_000, maxOutputTokens: 8_192, pricing: { input: 0.28, output: 0.42 }, capabilities: CHAT },
  'text-embedding-3-small': { contextWindow: 8_191, pricing: { input: 0.02, output: 0 }, capabilities: EMBEDDINGS },
  'text-embedding-3-large': { contextWindow: 8_191, pricing: { input: 0.13, output: 0 }, capabilities: EMBEDDINGS },
  'gemini-embedding-001': { contextWindow: 2_048, pricing: { input: 0.15, output: 0 }, capabilities: EMBEDDINGS },
  'meta-llama/Llama-3.3-70B-Instruct-Turbo': { contextWindow: 131_072, maxOutputTokens: 32_768, pricing: { input: 0.88, output: 0.88 }, capabilities: CHAT },
};

/** A provider that can be turned on by setting one environment variable. */
export interface WellKnownProvider {
  id: string;
  type: ProviderType;
  baseUrl: string;
  /** Environment variables holding the key, first match wins. */
  keyVariables: string[];
  /** Models listed when the provider is added from the environment. */
  models: string[];
}

export const WELL_KNOWN_PROVIDERS: readonly WellKnownProvider[] = [
  { id: 'openai', type: 'openai', baseUrl: 'https://api.openai.com/v1', keyVariables: ['OPENAI_API_KEY'], models: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'text-embedding-3-small', 'text-embedding-3-large'] },
  { id: 'anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', keyVariables: ['ANTHROPIC_API_KEY'], models: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'] },
  { id: 'google', type: 'google', baseUrl: 'https://generativelanguage.googleapis.com/v1beta', keyVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-embedding-001'] },
  { id: 'groq', type: 'openai', baseUrl: 'https://api.groq.com/openai/v1', keyVariables: ['GROQ_API_KEY'], models: ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile'] },
  { id: 'mistral', type: 'openai', baseUrl: 'https://api.mistral.ai/v1', keyVariables: ['MISTRAL_API_KEY'], models: ['mistral-small-latest', 'mistral-large-latest'] },
  { id: 'deepseek', type: 'openai', baseUrl: 'https://api.deepseek.com/v1', keyVariables: ['DEEPSEEK_API_KEY'], models: ['deepseek-chat'] },
  { id: 'together', type: 'openai', baseUrl: 'https://api.together.xyz/v1', keyVariables: ['TOGETHER_API_KEY'], models: ['meta-llama/Llama-3.3-70B-Instruct-Turbo'] },
  { id: 'openrouter', type: 'openai', baseUrl: 'https://openrouter.ai/api/v1', keyVariables: ['OPENROUTER_API_KEY'], models: ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4-5'] },
];

/** Catalog defaults for a model name, also for vendor-prefixed names (`openai/gpt-4o-mini`). */
export function lookupCatalog(upstream: string): CatalogEntry | undefined {
  return MODEL_CATALOG[upstream] ?? MODEL_CATALOG[upstream.slice(upstream.lastIndexOf('/') + 1)];
}
