import type { Builder } from './builder.js';

/** STUB: replaced by the embeddings schema (Query.embedding, batched per request with DataLoader). */
export function addEmbeddingsSchema(_builder: Builder): void {}
