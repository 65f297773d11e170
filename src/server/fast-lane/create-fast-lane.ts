import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult, type OperationTypeNode } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { markRequestErrors, maskGatewayError } from '../../errors/mask-gateway-error.js';
import { requestIdFrom } from '../../plugins/use-request-id.js';
import { classifyFailure } from '../../errors/classify-failure.js';
import type { Logger } from '../../create-logger.js';
import type { Authenticator } from '../../auth/create-authenticator.js';
import type { GatewayYoga, InitialContext } from '../create-yoga.js';
import { prepareOperation } from '../prepare-operation.js';
import { replayToYoga } from './replay-to-yoga.js';
import { setCorsHeaders } from '../cors.js';
import { takeFirstEvent } from '../take-first-event.js';
import { statusFor, stringifyResult, writeJson, writeSse, writeSseSingle } from './write-result.js';

/** Options for the fast lane (JSON operations and SSE subscriptions). */
export interface FastLaneOptions {
  yoga: GatewayYoga;
  /** Callers are authenticated before their document is parsed, as Yoga's `useAuthenticateFirst` does. */
  authenticator: Authenticator;
  /** Queries stay on Yoga when its response cache (ETags, 304s) is on. */
  queries: boolean;
  /** For errors that are not the caller's (logged as Yoga logs them). */
  logger: Logger;
}

/** Handler for a GraphQL request whose body has been read (see read-body.ts): takes the plain JSON operations, hands the rest to Yoga. */
export type FastLane = (req: IncomingMessage, res: ServerResponse, body: Buffer, cors: Readonly<Record<string, string>>) => void;

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const JSON_CONTENT = /^application\/json\s*(?:;|$)/i;
/** Yoga's regular result media types; for a single result the last match in the Accept header wins. */
const REGULAR_TYPES = ['application/graphql-response+json', 'application/json'] as const;
type RegularType = (typeof REGULAR_TYPES)[number];

const acceptCache = new Map<string, RegularType | null>();
const MAX_ACCEPT_VARIANTS = 64;

function matches(candidate: string, asked: string): boolean {
  const [askedType, askedSub] = asked.split('/');
  const [type, sub] = candidate.split('/');
  return (askedType === '*' || askedType === type) && (askedSub === '*' || askedSub === sub);
}

/**
 * Which lane a request's Accept header picks: JSON (with the media type Yoga's result
 * processor would choose for a single result), SSE for a client that asks for exactly
 * `text/event-stream` (GraphQL over SSE clients), or none (Yoga decides).
 */
type Lane = RegularType | 'sse';
function laneFor(accept: string | undefined): Lane | null {
  if (accept === 'text/event-stream') return 'sse';
  return regularMediaType(accept ?? '*/*');
}

function regularMediaType(header: string): RegularType | null {
  const known = acceptCache.get(header);
  if (known !== undefined) return known;
  let chosen: RegularType | null = null;
  const asked = header.replace(/\s/g, '').toLowerCase().split(',').reverse();
  for (const entry of asked) {
    const [mediaType = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    for (const candidate of REGULAR_TYPES) if (matches(candidate, mediaType)) chosen = candidate;
  }
  // Only a few distinct Accept headers exist in practice; anything odd is computed again rather than kept.
  if (acceptCache.size < MAX_ACCEPT_VARIANTS) acceptCache.set(header, chosen);
  return chosen;
}

function isParams(value: unknown): value is Params {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const params = value as Record<string, unknown>;
  for (const key in params) if (key !== 'query' && key !== 'variables' && key !== 'operationName') return false;
  const { query, variables, operationName } = params;
  return (
    typeof query === 'string' &&
    (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables))) &&
    (operationName === undefined || operationName === null || typeof operationName === 'string')
  );
}

/** The operation's type, once per parsed document (Yoga's parser cache hands back the same object). */
const operationTypes = new WeakMap<DocumentNode, Map<string | null, OperationTypeNode | null>>();
function operationTypeOf(document: DocumentNode, operationName: string | null): OperationTypeNode | null {
  let byName = operationTypes.get(document);
  if (!byName) operationTypes.set(document, (byName = new Map()));
  let type = byName.get(operationName);
  if (type === undefined) {
    type = getOperationAST(document, operationName)?.operation ?? null;
    byName.set(operationName, type);
  }
  return type;
}

/** What `serve` holds instead of the request body once the lane runs the operation. */
const NO_BODY = Buffer.alloc(0);

/**
 * The hot path, without the fetch-API layer: a `POST /graphql` whose body is a JSON
 * `{query, variables, operationName}` for one query or mutation answered as JSON, or one
 * subscription streamed as GraphQL over SSE.
 * The operation runs through Yoga's own envelop pipeline (`getEnveloped`: parser and
 * validation caches, limits, auth context, rate limits, masking, metrics, tracing,
 * logs), so every plugin that acts on operations acts here too. What only the HTTP layer
 * knows is mirrored: the request id and Yoga's status rules for errors (the body is read,
 * bounded and decoded before, and CORS headers set, by the HTTP handler). Each plugin's
 * HTTP-level hooks say how the lane answers for them (`laneHandles`, see lane-hooks.ts).
 *
 * Everything else (GET, other media types, persisted ids, batches,
 * @defer/@stream, invalid JSON, and any request that fails before execution) is served
 * by Yoga, from the same buffered body, so the answers to unusual requests stay Yoga's.
 */
export function createFastLane(options: FastLaneOptions): FastLane {
  const { yoga } = options;
  const endpoint = yoga.graphqlEndpoint;
  const viaYoga = (req: IncomingMessage, res: ServerResponse, body: Buffer, cors: Readonly<Record<string, string>>) => {
    setCorsHeaders(res, cors);
    return replayToYoga(yoga, req, res, body);
  };

  /** The response headers every lane answer carries: its request id (CORS headers are already set on `res`, see cors.ts). */
  function baseHeaders(requestId: string, cors: Readonly<Record<string, string>>): Record<string, string> {
    return { ...cors, 'x-request-id': requestId };
  }

  /** What Yoga's result hooks do to a single result: request id on each error, request errors as BAD_USER_INPUT. */
  function finishErrors(result: ExecutionResult, requestId: string): void {
    if (!result.errors?.length) return;
    markRequestErrors(result);
    for (const error of result.errors) (error.extensions as Record<string, unknown>).requestId = requestId;
  }

  /** A thrown error as the result Yoga's request handler makes of it: masked, and logged when it was not the caller's. */
  function thrownResult(error: unknown): ExecutionResult {
    const masked = maskGatewayError(error, 'Unexpected error.');
    if (masked !== error && classifyFailure(error).kind === 'fault') options.logger.error({ err: error }, 'operation failed');
    return { errors: [masked instanceof GraphQLError ? masked : new GraphQLError(masked.message, { originalError: masked })] };
  }

  /** Runs execute/subscribe; a throw becomes an error result. */
  async function settle<T>(run: () => Promise<T>): Promise<T | ExecutionResult> {
    try {
      return await run();
    } catch (error: unknown) {
      return thrownResult(error);
    }
  }

  /** `read.body` is let go of once the lane runs the operation: a suspended async function keeps its arguments, and an open stream would hold its prompt to the end. */
  async function serve(req: IncomingMessage, res: ServerResponse, read: { body: Buffer }, lane: Lane, cors: Readonly<Record<string, string>>): Promise<void> {
    let params: unknown;
    try {
      params = JSON.parse(read.body.toString('utf8'));
    } catch {
      return viaYoga(req, res, read.body, cors);
    }
    // @defer/@stream answer in several parts: Yoga's multipart and SSE processors.
    if (!isParams(params) || params.query.includes('@defer') || params.query.includes('@stream')) return viaYoga(req, res, read.body, cors);

    const requestId = requestIdFrom(req.headers['x-request-id']);
    const controller = new AbortController();
    const abort = () => controller.abort();
    res.on('close', abort);
    // The operation's model calls take this controller over: one abort signal, not one more per call.
    const initial: InitialContext & { params: Params } = { requestId, signal: controller.signal, requestController: controller, params };
    // Where Yoga's context reads it (credentialOf): Authorization, else x-api-key.
    const apiKey = req.headers['x-api-key'];
    const credential = req.headers.authorization ?? (Array.isArray(apiKey) ? apiKey[0] : apiKey);
    if (credential !== undefined) initial.credential = credential;
    const toYoga = () => {
      res.off('close', abort);
      return viaYoga(req, res, read.body, cors);
    };
    // Anything refused before execution (credentials, syntax, bounds, validation) Yoga answers,
    // with its own status and error shape: the lane only runs what will run.
    const prepared = await prepareOperation(yoga, options.authenticator, initial, credential, (document) => {
      const type = operationTypeOf(document, params.operationName ?? null);
      return lane === 'sse' ? type === 'subscription' : type === 'mutation' || (type === 'query' && options.queries);
    });
    if (!prepared.ok) return toYoga();
    read.body = NO_BODY;
    const { enveloped, document, contextValue } = prepared;
    const args = { schema: enveloped.schema, document, contextValue, variableValues: params.variables, operationName: params.operationName };
    const headers = baseHeaders(requestId, cors);

    if (lane === 'sse') {
      const outcome = await settle(() => enveloped.subscribe(args) as Promise<ExecutionResult | AsyncIterable<ExecutionResult>>);
      // A stream refused at its first event (limits) answers like a query: its status, not a 200 stream.
      const first = isAsyncIterable(outcome) ? await takeFirstEvent(outcome) : { refused: outcome };
      if ('stream' in first) {
        await writeSse(res, headers, first.stream, thrownResult);
        // Ended (or the client left, and the signal fired): a finished stream has nothing left to abort.
        res.off('close', abort);
        return;
      }
      res.off('close', abort);
      finishErrors(first.refused, requestId);
      return writeSseSingle(res, headers, first.refused);
    }

    const result = await settle(() => enveloped.execute(args) as Promise<ExecutionResult>);
    res.off('close', abort);
    if (res.destroyed) return;
    headers['content-type'] = `${lane}; charset=utf-8`;
    finishErrors(result, requestId);
    const status = statusFor(result, headers, lane === 'application/json');
    return writeJson(res, status, headers, stringifyResult(result));
  }

  return (req, res, body, cors) => {
    const { headers } = req;
    const lane = req.method === 'POST' && req.url === endpoint && JSON_CONTENT.test(headers['content-type'] ?? '') ? laneFor(headers.accept) : null;
    // Other media types, methods and paths keep Yoga's handling (of the same, already bounded, body).
    const answer = lane === null ? viaYoga(req, res, body, cors) : serve(req, res, { body }, lane, cors);
    answer.catch((error: unknown) => {
      if (!res.headersSent) {
        writeJson(res, 500, { ...cors, 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      } else {
        res.destroy();
      }
    });
  };
}
