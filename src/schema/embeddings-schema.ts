import DataLoader from 'dataloader';
import { GatewayError } from '../errors/gateway-error.js';
import type { EmbeddingResult } from '../services/embedding-service.js';
import type { Builder } from './builder.js';
import { callFor, type CallSource, type GatewayContext } from './context.js';

/** Longest input accepted, in characters. */
export const MAX_EMBEDDING_INPUT_CHARS = 100_000;

/** "100,000": by hand, since `toLocaleString` would load ICU's data (~5 MB of RSS) for one description. */
function withThousandsSeparators(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/**
 * One DataLoader per model per GraphQL request: every `embedding` field of one
 * operation that names the same model is embedded in one upstream call. Keyed
 * weakly by the context object, so nothing outlives the request and no two
 * requests (or callers) ever share a batch.
 */
const loaders = new WeakMap<object, Map<string, DataLoader<string, EmbeddingResult>>>();

function loaderFor(context: GatewayContext, model: string): DataLoader<string, EmbeddingResult> {
  let byModel = loaders.get(context);
  if (!byModel) loaders.set(context, (byModel = new Map()));
  let loader = byModel.get(model);
  if (!loader) {
    // The batch function keeps these, not the context: a WeakMap value that reaches its own key
    // keeps the entry (and the whole request) alive through every young-generation GC.
    const { embeddings, principal, requestId } = context;
    const source: CallSource = { calls: context.calls, signal: context.signal, requestController: context.requestController };
    loader = new DataLoader<string, EmbeddingResult>(
      async (inputs) => {
        const call = callFor(source);
        try {
          return await embeddings.embedMany(model, inputs, { principal, requestId, signal: call.signal });
        } finally {
          call.close();
        }
      },
      {
        // No cache: the same text asked for twice is embedded twice, so each field's usage
        // is its own and the per-field usage adds up to what the upstream bills.
        cache: false,
        // After every resolver of the tick has run (also those behind auth-scope promises):
        // one batch per model per operation level.
        batchScheduleFn: (callback) => setImmediate(callback),
      },
    );
    byModel.set(model, loader);
  }
  return loader;
}

/** `Query.embedding`, batched per request and model. */
export function addEmbeddingsSchema(builder: Builder): void {
  const EmbeddingUsage = builder.objectRef<Pick<EmbeddingResult, 'promptTokens' | 'costUsd'>>('EmbeddingUsage').implement({
    description: "One input's share of its batch's tokens, and what they cost.",
    fields: (t) => ({
      promptTokens: t.exposeInt('promptTokens', {
        description: "Input tokens of this text: the batch's total, split in proportion to the texts' lengths.",
      }),
      costUsd: t.exposeFloat('costUsd', { nullable: true, description: 'Cost in US dollars; null when the model has no pricing.' }),
    }),
  });

  const Embedding = builder.objectRef<EmbeddingResult>('Embedding').implement({
    description: 'The embedding vector of one text.',
    fields: (t) => ({
      vector: t.field({ type: ['Float'], description: 'The vector.', resolve: (result) => result.vector }),
      dimensions: t.int({ description: 'The length of `vector`.', resolve: (result) => result.vector.length }),
      model: t.exposeString('model', { description: 'The model id that embedded it.' }),
      usage: t.field({ type: EmbeddingUsage, description: 'Tokens and cost of this text.', resolve: (result) => result }),
    }),
  });

  builder.queryFields((t) => ({
    embedding: t.field({
      type: Embedding,
      authScopes: { scope: 'embed' },
      description:
        'The embedding of one text. Ask for many with aliases: the fields of one operation that name the same model are sent upstream in one batch.',
      args: {
        model: t.arg.string({ required: true, description: 'An embedding model id (e.g. "local/embed"), or a route whose first target is one.' }),
        input: t.arg.string({ required: true, description: `The text, 1 to ${withThousandsSeparators(MAX_EMBEDDING_INPUT_CHARS)} characters.` }),
      },
      resolve: (_root, { model, input }, context) => {
        if (input.length === 0) throw new GatewayError('BAD_USER_INPUT', 'input: expected a non-empty text.', { details: { field: 'input' } });
        if (input.length > MAX_EMBEDDING_INPUT_CHARS) {
          throw new GatewayError('BAD_USER_INPUT', `input: expected at most ${MAX_EMBEDDING_INPUT_CHARS} characters, got ${input.length}.`, {
            details: { field: 'input', maxCharacters: MAX_EMBEDDING_INPUT_CHARS },
          });
        }
        return loaderFor(context, model).load(input);
      },
    }),
  }));
}
