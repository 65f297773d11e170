import type { EmbeddingRequest, EmbeddingResponse } from '../contract.js';
import { malformedError, postJson, type UpstreamTransport } from '../http/send-upstream.js';
import { ProviderError } from '../provider-error.js';
import type { CancelSignal } from '../cancel-signal.js';

/** The parts of a Gemini `batchEmbedContents` answer the gateway reads. */
interface GeminiBatchEmbedBody {
  embeddings?: { values?: unknown }[];
  error?: { message?: string; status?: string };
}

const CHARS_PER_TOKEN = 4;

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/**
 * POST `{base}/models/{model}:batchEmbedContents` with one request per input;
 * Gemini answers the embeddings in request order.
 */
export function createGeminiEmbed(
  id: string,
  base: string,
  headers: Record<string, string>,
  transport: UpstreamTransport,
): (request: EmbeddingRequest, signal: CancelSignal) => Promise<EmbeddingResponse> {
  return async (request, signal) => {
    const url = `${base}/models/${encodeURIComponent(request.model)}:batchEmbedContents`;
    const body = {
      requests: request.inputs.map((text) => ({
        model: `models/${request.model}`,
        content: { parts: [{ text }] },
        ...(request.dimensions === undefined ? {} : { outputDimensionality: request.dimensions }),
      })),
    };
    const answer = (await postJson(transport, { provider: id, url, headers, body, signal })) as GeminiBatchEmbedBody | null;
    if (answer?.error) {
      const message = answer.error.message ?? answer.error.status ?? 'an error';
      throw new ProviderError('UPSTREAM_UNAVAILABLE', `Provider "${id}" failed: ${message.slice(0, 300)}`, { provider: id, retryable: true });
    }
    const embeddings = answer?.embeddings;
    if (!Array.isArray(embeddings) || embeddings.length !== request.inputs.length) {
      throw malformedError(id, `an embeddings answer without one vector per input (${request.inputs.length} sent)`);
    }
    const vectors = embeddings.map((embedding) => {
      if (!isVector(embedding.values)) throw malformedError(id, 'an embedding without numeric values');
      return embedding.values;
    });
    // Gemini reports no token usage for embeddings: estimate about four characters a token
    // (the same rule the gateway uses elsewhere), so usage and cost are approximate.
    const promptTokens = request.inputs.reduce((sum, text) => sum + Math.ceil(text.length / CHARS_PER_TOKEN), 0);
    return { vectors, usage: { promptTokens, estimated: true } };
  };
}
