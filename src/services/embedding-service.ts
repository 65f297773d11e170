import { assertModelAllowed, type Principal } from '../auth/principal.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Catalog } from '../routing/catalog.js';
import type { LimitsService } from './limits-service.js';
import type { UsageMeter } from './usage-meter.js';

export interface EmbeddingResult {
  vector: number[];
  model: string;
  provider: string;
  promptTokens: number;
  costUsd: number | null;
}

export interface EmbeddingOptions {
  /** Vector length to ask the upstream for; absent: the model's own. */
  dimensions?: number;
}

/** Embeddings, batched: one upstream call per model for many inputs. */
export interface EmbeddingService {
  embedMany(
    model: string,
    inputs: readonly string[],
    call: { principal: Principal; requestId: string; signal: AbortSignal },
    options?: EmbeddingOptions,
  ): Promise<EmbeddingResult[]>;
}

export interface EmbeddingServiceDeps {
  catalog: Catalog;
  usage: UsageMeter;
  limits: LimitsService;
}

const NO_USAGE = { promptTokens: 0, completionTokens: 0, costUsd: 0 };

/**
 * Splits `total` tokens across inputs in proportion to their length (largest
 * remainder), so the per-input counts are whole numbers that add up to `total`.
 */
export function splitTokens(total: number, inputs: readonly string[]): number[] {
  const lengths = inputs.map((input) => input.length);
  const characters = lengths.reduce((sum, length) => sum + length, 0);
  if (inputs.length === 0) return [];
  const shares = lengths.map((length) => (characters > 0 ? (total * length) / characters : total / inputs.length));
  const counts = shares.map(Math.floor);
  let left = total - counts.reduce((sum, count) => sum + count, 0);
  const byRemainder = shares.map((share, index) => ({ index, remainder: share - Math.floor(share) })).sort((a, b) => b.remainder - a.remainder);
  for (const { index } of byRemainder) {
    if (left <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left--;
  }
  return counts;
}

/**
 * Embeddings are not routed: a route's embedding model uses its first capable
 * target, with no retries or fallback. Limits are taken (and settled with the
 * real usage) once per batch, and usage is recorded once per batch.
 */
export function createEmbeddingService(deps: EmbeddingServiceDeps): EmbeddingService {
  const { catalog, usage: meter, limits } = deps;
  return {
    async embedMany(model, inputs, call, options = {}) {
      assertModelAllowed(call.principal, model);
      // MODEL_NOT_FOUND or BAD_USER_INPUT (not an embedding model) come from the catalog.
      const [target] = catalog.resolve(model, 'embeddings');
      if (!target) throw new GatewayError('BAD_USER_INPUT', `"${model}" does not support embeddings.`, { details: { model, capability: 'embeddings' } });
      const { provider } = target;
      if (!provider.embed) {
        throw new GatewayError('BAD_USER_INPUT', `Provider "${provider.id}" (${provider.type}) has no embeddings API, so "${model}" cannot embed.`, {
          details: { model, provider: provider.id },
        });
      }
      // maxTokens 0: an embedding has no completion, so nothing is reserved for one.
      const admission = await limits.admit(
        call.principal,
        { model, messages: inputs.map((content) => ({ role: 'user' as const, content })), maxTokens: 0 },
        [target],
      );
      let answer;
      try {
        const request = { model: target.model.upstream, inputs: [...inputs], ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }) };
        answer = await provider.embed(request, call.signal);
      } catch (error: unknown) {
        admission.settle(NO_USAGE);
        throw error;
      }
      if (answer.vectors.length !== inputs.length) {
        admission.settle(NO_USAGE);
        throw new GatewayError('UPSTREAM_UNAVAILABLE', `Provider "${provider.id}" sent ${answer.vectors.length} vectors for ${inputs.length} inputs.`, {
          details: { provider: provider.id },
        });
      }
      const promptTokens = answer.usage.promptTokens;
      const pricing = target.model.pricing;
      const costUsd = pricing ? (promptTokens * pricing.input) / 1_000_000 : null;
      admission.settle({ promptTokens, completionTokens: 0, costUsd });
      meter.record({
        keyId: call.principal.keyId,
        subject: call.principal.subject,
        model: target.model.id,
        provider: provider.id,
        promptTokens,
        completionTokens: 0,
        costUsd,
        outcome: 'success',
        estimated: answer.usage.estimated ?? false,
      });
      const shares = splitTokens(promptTokens, inputs);
      return answer.vectors.map((vector, index) => {
        const tokens = shares[index] ?? 0;
        return {
          vector,
          model: target.model.id,
          provider: provider.id,
          promptTokens: tokens,
          costUsd: pricing ? (tokens * pricing.input) / 1_000_000 : null,
        };
      });
    },
  };
}
