import { clientGone } from '../services/call-registry.js';
import { MAX_EMBEDDING_INPUT_CHARS } from '../schema/embeddings-schema.js';
import { readJsonBody, sendJson } from './http-io.js';
import { checkParams, invalidParam as invalid, type ParamRule } from './check-params.js';
import type { RestContext } from './rest-context.js';

const MAX_INPUTS = 2_048;
/** Far above any embedding model's size; the upstream judges the real bound. */
const MAX_DIMENSIONS = 65_536;

/** Every body parameter of POST /v1/embeddings; anything else is refused. */
const EMBEDDINGS_PARAMS: Readonly<Record<string, ParamRule>> = {
  model: true,
  input: true,
  encoding_format: true,
  dimensions: true,
  // An end-user id for OpenAI's abuse monitoring: embeddings carry none upstream.
  user: () => 'the gateway does not forward an end-user id with embeddings.',
};

function dimensionsOf(value: unknown): number | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DIMENSIONS) {
    throw invalid('dimensions', `expected a whole number from 1 to ${MAX_DIMENSIONS}`);
  }
  return value;
}

function inputsOf(value: unknown): string[] {
  const inputs = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((item) => typeof item === 'string')) {
    throw invalid('input', 'expected a string or a non-empty array of strings (token arrays are not supported)');
  }
  if (inputs.length > MAX_INPUTS) throw invalid('input', `expected at most ${MAX_INPUTS} inputs, but got ${inputs.length}`);
  inputs.forEach((text: string, index) => {
    if (text.length === 0) throw invalid(`input[${index}]`, 'expected a non-empty text');
    if (text.length > MAX_EMBEDDING_INPUT_CHARS) throw invalid(`input[${index}]`, `expected at most ${MAX_EMBEDDING_INPUT_CHARS} characters`);
  });
  return inputs as string[];
}

/** Base64 of the vector as little-endian float32, OpenAI's `encoding_format: "base64"`. */
function base64Of(vector: number[]): string {
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

/** POST /v1/embeddings. */
export async function createEmbeddings(context: RestContext): Promise<void> {
  const { req, res, services } = context;
  const body = await readJsonBody(req, context.maxBodyBytes, context.requestTimeoutMs);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'expected a JSON object');
  checkParams(body as Record<string, unknown>, EMBEDDINGS_PARAMS, 'POST /v1/embeddings');
  const { model, input, encoding_format: encoding } = body as Record<string, unknown>;
  const dimensions = dimensionsOf((body as Record<string, unknown>).dimensions);
  if (typeof model !== 'string' || !model) throw invalid('model', 'expected an embedding model id');
  if (encoding != null && encoding !== 'float' && encoding !== 'base64') throw invalid('encoding_format', 'expected "float" or "base64"');
  const inputs = inputsOf(input);
  const call = services.calls.open();
  const onClose = () => call.abort(clientGone('connection'));
  res.on('close', onClose);
  try {
    const embedCall = { principal: context.principal, requestId: context.requestId, signal: call.signal };
    const results = await services.embeddings.embedMany(model, inputs, embedCall, dimensions === undefined ? {} : { dimensions });
    const promptTokens = results.reduce((sum, result) => sum + result.promptTokens, 0);
    sendJson(
      res,
      200,
      {
        object: 'list',
        data: results.map((result, index) => ({ object: 'embedding', index, embedding: encoding === 'base64' ? base64Of(result.vector) : result.vector })),
        model: results[0]?.model ?? model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      { 'x-request-id': context.requestId },
    );
  } finally {
    res.off('close', onClose);
    call.close();
  }
}
