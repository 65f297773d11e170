import { createHash } from 'node:crypto';
import type { EmbeddingRequest, EmbeddingResponse } from '../contract.js';
import { ProviderError } from '../provider-error.js';
import type { CancelSignal } from '../cancel-signal.js';

/** Dimensions of the demo embedding model's vectors. */
export const LOCAL_EMBEDDING_DIMENSIONS = 16;

/**
 * A deterministic unit vector for a text: 16 signed 16-bit values from its
 * SHA-256, normalised to length 1. Same text, same vector; no meaning at all.
 */
export function localEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  const raw = Array.from({ length: LOCAL_EMBEDDING_DIMENSIONS }, (_, index) => digest.readInt16BE(index * 2));
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => value / norm);
}

/** The first `size` values, normalised again to length 1 (as OpenAI shortens its vectors). */
function shortened(vector: number[], size: number): number[] {
  if (size === vector.length) return vector;
  const head = vector.slice(0, size);
  const norm = Math.hypot(...head) || 1;
  return head.map((value) => value / norm);
}

/** The local provider's `embed`: serves only the `embed` model; one token per word, as the demo chat models count. */
export function embedLocally(id: string, request: EmbeddingRequest, signal: CancelSignal): EmbeddingResponse {
  signal.throwIfAborted();
  if (request.model !== 'embed') {
    throw new ProviderError('UPSTREAM_REJECTED', `Provider "${id}" has no embedding model "${request.model}" (it serves embed).`, {
      provider: id,
      status: 404,
      retryable: false,
    });
  }
  const size = request.dimensions ?? LOCAL_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(size) || size < 1 || size > LOCAL_EMBEDDING_DIMENSIONS) {
    throw new ProviderError('UPSTREAM_REJECTED', `Provider "${id}" embeds with 1 to ${LOCAL_EMBEDDING_DIMENSIONS} dimensions, not ${size}.`, {
      provider: id,
      status: 400,
      retryable: false,
    });
  }
  return {
    vectors: request.inputs.map((text) => shortened(localEmbedding(text), size)),
    usage: { promptTokens: request.inputs.reduce((sum, text) => sum + (text.match(/\S+/g)?.length ?? 0), 0) },
  };
}
