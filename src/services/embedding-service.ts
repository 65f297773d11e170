import type { Principal } from '../auth/principal.js';
import type { Catalog } from './catalog.js';
import type { LimitsService } from './limits-service.js';
import type { UsageMeter } from './usage-meter.js';

export interface EmbeddingResult {
  vector: number[];
  model: string;
  provider: string;
  promptTokens: number;
  costUsd: number | null;
}

/** Embeddings, batched: one upstream call per model for many inputs. */
export interface EmbeddingService {
  embedMany(model: string, inputs: readonly string[], call: { principal: Principal; requestId: string; signal: AbortSignal }): Promise<EmbeddingResult[]>;
}

export interface EmbeddingServiceDeps {
  catalog: Catalog;
  usage: UsageMeter;
  limits: LimitsService;
}

/** STUB: replaced by the embeddings implementation. */
export function createEmbeddingService(_deps: EmbeddingServiceDeps): EmbeddingService {
  return {
    embedMany: async () => {
      throw new Error('embeddings are not implemented');
    },
  };
}
