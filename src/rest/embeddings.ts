import { GatewayError } from '../errors.js';
import { MAX_EMBEDDING_INPUT_CHARS } from '../schema/embeddings-schema.js';
import { readJsonBody, sendJson } from './http-io.js';
import type { RestContext } from './rest-context.js';

const MAX_INPUTS = 2_048;

function invalid(field: string, message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', `${field}: ${message}`, { details: { field } });
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
  const { model, input, encoding_format: encoding } = body as Record<string, unknown>;
  if (typeof model !== 'string' || !model) throw invalid('model', 'expected an embedding model id');
  if (encoding != null && encoding !== 'float' && encoding !== 'base64') throw invalid('encoding_format', 'expected "float" or "base64"');
  const inputs = inputsOf(input);
  const call = services.calls.open();
  const onClose = () => call.abort(new Error('the client closed the connection'));
  res.once('close', onClose);
  try {
    const results = await services.embeddings.embedMany(model, inputs, { principal: context.principal, requestId: context.requestId, signal: call.signal });
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
