import type { EmbeddingRequest, EmbeddingResponse } from '../contract.js';
import { malformedError, postJson, type UpstreamTransport } from '../http/send-upstream.js';
import { ProviderError } from '../provider-error.js';
import type { CancelSignal } from '../cancel-signal.js';

/** The parts of an OpenAI `/embeddings` answer the gateway reads. */
interface OpenAIEmbeddingsBody {
  data?: { index?: number; embedding?: unknown }[];
  usage?: { prompt_tokens?: number };
  error?: { message?: string };
}

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/** POST `{baseUrl}/embeddings` with every input in one call; vectors are put back in input order by `data[].index`. */
export function createOpenAIEmbed(
  id: string,
  url: string,
  headers: Record<string, string>,
  transport: UpstreamTransport,
): (request: EmbeddingRequest, signal: CancelSignal) => Promise<EmbeddingResponse> {
  return async (request, signal) => {
    const body = { model: request.model, input: request.inputs, ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }) };
    const answer = (await postJson(transport, { provider: id, url, headers, body, signal })) as OpenAIEmbeddingsBody | null;
    if (answer?.error) {
      throw new ProviderError('UPSTREAM_UNAVAILABLE', `Provider "${id}" failed: ${(answer.error.message ?? 'an error').slice(0, 300)}`, {
        provider: id,
        retryable: true,
      });
    }
    const data = answer?.data;
    if (!Array.isArray(data) || data.length !== request.inputs.length) {
      throw malformedError(id, `an embeddings answer without one vector per input (${request.inputs.length} sent)`);
    }
    const vectors: (number[] | undefined)[] = new Array<number[] | undefined>(request.inputs.length);
    data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      if (!isVector(item.embedding) || index < 0 || index >= vectors.length || vectors[index]) {
        throw malformedError(id, 'an embeddings answer with a missing, duplicate or out-of-range vector');
      }
      vectors[index] = item.embedding;
    });
    return { vectors: vectors as number[][], usage: { promptTokens: answer?.usage?.prompt_tokens ?? 0 } };
  };
}
