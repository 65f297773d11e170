import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/providers/contract.js';
import { createGoogleProvider } from '../../src/providers/google/create-google-provider.js';
import { createLocalProvider } from '../../src/providers/local/create-local-provider.js';
import { createOpenAIProvider } from '../../src/providers/openai/create-openai-provider.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import { fakeTokens, fakeVector, startEmbeddingMock, type EmbeddingMock } from '../helpers/embedding-mock.js';

const INPUTS = ['alpha', 'a much longer second text', 'γ three', 'd'];
const dispatcher = new Agent({ keepAliveTimeout: 1_000 });
let mock: EmbeddingMock;
let openai: Provider;
let google: Provider;

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

beforeAll(async () => {
  mock = await startEmbeddingMock();
  openai = createOpenAIProvider({ id: 'oai', baseUrl: `${mock.origin}/v1/`, apiKey: 'sk-emb' }, { dispatcher });
  google = createGoogleProvider({ id: 'gem', baseUrl: `${mock.origin}/v1beta`, apiKey: 'gem-key' }, { dispatcher });
});
afterAll(async () => {
  await mock.close();
  await dispatcher.close();
});
beforeEach(() => {
  mock.requests.length = 0;
  mock.reverseOpenAIData = false;
  mock.failNext();
});

describe('OpenAI embeddings wire format', () => {
  it('POSTs {baseUrl}/embeddings with the model and the input array, and reads vectors and usage', async () => {
    const result = await openai.embed?.({ model: 'text-embedding-3-small', inputs: INPUTS }, AbortSignal.timeout(5_000));
    expect(mock.requests).toHaveLength(1);
    const [request] = mock.requests;
    expect(request?.path).toBe('/v1/embeddings');
    expect(request?.headers.authorization).toBe('Bearer sk-emb');
    expect(request?.body).toEqual({ model: 'text-embedding-3-small', input: INPUTS });
    expect(result?.vectors).toEqual(INPUTS.map(fakeVector));
    expect(result?.usage.promptTokens).toBe(fakeTokens(INPUTS));
    expect(result?.usage.estimated ?? false).toBe(false);
  });

  it('puts vectors back in input order when `data` comes out of order', async () => {
    mock.reverseOpenAIData = true;
    const result = await openai.embed?.({ model: 'm', inputs: INPUTS }, AbortSignal.timeout(5_000));
    expect(result?.vectors).toEqual(INPUTS.map(fakeVector));
  });

  it.each([
    { status: 401, code: 'UPSTREAM_REJECTED', retryable: false },
    { status: 429, code: 'RATE_LIMITED', retryable: true },
    { status: 500, code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  ])('maps HTTP $status to $code, like chat', async ({ status, code, retryable }) => {
    mock.failNext(status);
    const error = await rejection(openai.embed?.({ model: 'm', inputs: INPUTS }, AbortSignal.timeout(5_000)) ?? Promise.resolve());
    expect(error).toMatchObject({ code, provider: 'oai', status, retryable });
    expect(error.message).not.toContain('sk-emb');
  });
});

describe('Gemini embeddings wire format', () => {
  it('POSTs models/{model}:batchEmbedContents with one request per input and estimates usage', async () => {
    const result = await google.embed?.({ model: 'gemini-embedding-001', inputs: INPUTS }, AbortSignal.timeout(5_000));
    expect(mock.requests).toHaveLength(1);
    const [request] = mock.requests;
    expect(request?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(request?.headers['x-goog-api-key']).toBe('gem-key');
    expect(request?.body).toEqual({
      requests: INPUTS.map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
    });
    expect(result?.vectors).toEqual(INPUTS.map(fakeVector));
    // Gemini reports no usage for embeddings: about four characters a token, per input.
    expect(result?.usage).toEqual({ promptTokens: INPUTS.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0), estimated: true });
  });

  it.each([
    { status: 401, code: 'UPSTREAM_REJECTED', retryable: false },
    { status: 429, code: 'RATE_LIMITED', retryable: true },
    { status: 500, code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  ])('maps HTTP $status to $code, like chat', async ({ status, code, retryable }) => {
    mock.failNext(status);
    const error = await rejection(google.embed?.({ model: 'gemini-embedding-001', inputs: INPUTS }, AbortSignal.timeout(5_000)) ?? Promise.resolve());
    expect(error).toMatchObject({ code, provider: 'gem', status, retryable });
  });
});

describe('local embeddings', () => {
  const local = createLocalProvider({ id: 'local', tokenDelayMs: 0 });

  it('gives deterministic, normalised 16-dimension vectors, different per text', async () => {
    const first = await local.embed?.({ model: 'embed', inputs: INPUTS }, AbortSignal.timeout(1_000));
    const again = await local.embed?.({ model: 'embed', inputs: [...INPUTS].reverse() }, AbortSignal.timeout(1_000));
    expect(first?.vectors).toHaveLength(INPUTS.length);
    expect(again?.vectors).toEqual([...(first?.vectors ?? [])].reverse());
    for (const vector of first?.vectors ?? []) {
      expect(vector).toHaveLength(16);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
    }
    expect(new Set(first?.vectors.map((vector) => vector.join(','))).size).toBe(INPUTS.length);
    expect(first?.usage.promptTokens).toBe(1 + 5 + 2 + 1);
  });

  it('serves `embed` for embeddings only: chat on it, or embeddings on a chat model, are rejected', async () => {
    await expect(local.chat({ model: 'embed', messages: [{ role: 'user', content: 'hi' }] }, AbortSignal.timeout(1_000))).rejects.toMatchObject({
      code: 'UPSTREAM_REJECTED',
    });
    await expect(local.embed?.({ model: 'echo', inputs: ['hi'] }, AbortSignal.timeout(1_000))).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED' });
  });
});
