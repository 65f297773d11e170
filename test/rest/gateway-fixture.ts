import OpenAI, { BadRequestError } from 'openai';
import { expect } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

export const FULL_KEY = 'sk-rest-full-key-0001';
export const UPSTREAM_SECRET = 'sk-upstream-secret-0004';
export const MODEL = 'oai/gpt-4o-mini';

export interface RestFixture {
  mock: WireMock;
  gw: RunningGateway;
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  stop(): Promise<void>;
}

/** The real gateway in front of an OpenAI-compatible wire mock, plus the local provider, with one full key. */
export async function startRestFixture(extra: { providers?: string; models?: string; env?: Record<string, string> } = {}): Promise<RestFixture> {
  const mock = await startWireMock(openaiFormat);
  const gw = await startGateway(
    `
providers:
  - { id: oai, type: openai, baseUrl: "\${OAI}/v1", apiKey: "\${UPSTREAM}" }
  - { id: local, type: local, tokenDelayMs: 0 }
${extra.providers ?? ''}
models:
  - { provider: oai, upstream: gpt-4o-mini }
${extra.models ?? ''}
routes:
  - { id: cheap, strategy: fallback, targets: [{ model: ${MODEL} }] }
auth:
  keys:
    - { id: full, secret: "\${FULL}", scopes: [models, chat, embed] }
cache:
  responses: { enabled: false }
`,
    { OAI: mock.origin, UPSTREAM: UPSTREAM_SECRET, FULL: FULL_KEY, ...extra.env },
  );
  return {
    mock,
    gw,
    baseURL: `${gw.origin}/v1`,
    async stop() {
      await gw.stop();
      await mock.close();
    },
  };
}

/** OpenAI's error body of a 400. */
export interface RefusalBody {
  message: string;
  param: string;
  type: string;
}

/**
 * A Responses request the gateway must refuse: a 400 through the SDK, and no upstream call.
 * `body` is merged over a minimal request for `model`; resolves with the error body.
 */
export async function refusedResponse(fx: RestFixture, client: OpenAI, model: string, body: Record<string, unknown>): Promise<RefusalBody> {
  const calls = fx.mock.requests.length;
  const error = await client.responses.create({ model, input: 'x', ...body } as OpenAI.Responses.ResponseCreateParamsNonStreaming).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BadRequestError);
  expect(fx.mock.requests.length).toBe(calls);
  return (error as BadRequestError).error as RefusalBody;
}
