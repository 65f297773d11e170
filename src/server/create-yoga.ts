import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type GraphiQLOptions, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { ServerConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import { createLogThrottle, type LogThrottle } from '../create-log-throttle.js';
import { logFailure } from '../errors/classify-failure.js';
import { useAuthenticateFirst, type AuthenticatedContext } from '../plugins/use-authenticate-first.js';
import { useBoundedDocuments } from '../plugins/use-bounded-documents.js';
import { useCompiledSubscriptions } from '../plugins/use-compiled-subscriptions.js';
import { useDocumentCache } from '../plugins/use-document-cache.js';
import { useIntrospectionPolicy } from '../plugins/use-introspection-policy.js';
import { maskGatewayError } from '../errors/mask-gateway-error.js';
import { createMasking, useErrorMasking } from '../plugins/use-error-masking.js';
import { useRequestErrorCodes } from '../plugins/use-request-error-codes.js';
import { useOperationLimits } from '../plugins/use-operation-limits.js';
import { useOperationLog } from '../plugins/use-operation-log.js';
import { useRootSubscriptionDirectives } from '../plugins/use-root-subscription-directives.js';
import { useSseRefusals } from '../plugins/use-sse-refusals.js';
import { requestIdOf, useRequestId } from '../plugins/use-request-id.js';
import type { Authenticator } from '../auth/create-authenticator.js';
import { useFieldRateLimits, type FieldRateLimitsOptions } from '../plugins/use-field-rate-limits.js';
import { useChatAdmission } from '../plugins/use-chat-admission.js';
import type { GatewayServices } from '../schema/context.js';
import { laneHandles } from './fast-lane/lane-hooks.js';
import { withoutLazyGlobal } from '../without-lazy-global.js';

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayServices>;

/** The operations GraphiQL opens with: each one runs as is on the embedded default. */
export const EXAMPLE_OPERATIONS = `# Welcome to Switchboard. Run an operation with the ▶ button.
# The local/* models are built-in demos: no API key needed.

query Catalog {
  models { id provider capabilities pricing { input output } }
  routes { id strategy targets { model } }
}

mutation Chat {
  chat(input: { model: "local/echo", messages: [{ role: USER, content: "Hello from GraphiQL!" }] }) {
    message { content }
    finishReason
    usage { promptTokens completionTokens costUsd }
  }
}

# local/vision "sees": it describes the parts it received (type, media type, size). A 1×1 PNG:
mutation Image {
  chat(input: { model: "local/vision", messages: [{ role: USER, parts: [
    { text: "What is in this picture?" }
    { image: { mediaType: "image/png", base64: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" } }
  ] }] }) {
    message { content }
  }
}

# GraphiQL shows the latest event only: \`text\` is the answer so far, so it grows on screen.
subscription Stream {
  chatStream(input: { model: "local/lorem", maxTokens: 40, messages: [{ role: USER, content: "Write something" }] }) {
    text
    done
    finishReason
    usage { totalTokens }
  }
}

# local/think reasons before it answers: every reasoningDelta event comes before the first delta.
# To continue the conversation, send its reasoning and the last event's reasoningSignature back on
# the ASSISTANT message (ChatMessageInput.reasoning, reasoningSignature): it says it recalls them.
subscription Reasoning {
  chatStream(input: { model: "local/think", messages: [{ role: USER, content: "Why is the sky blue?" }] }) {
    reasoningDelta
    delta
    done
    reasoningSignature
    usage { completionTokens reasoningTokens }
  }
}

# local/tools calls the first tool it is given: answer with a TOOL message to get its reply.
mutation Tools {
  chat(input: {
    model: "local/tools"
    messages: [{ role: USER, content: "Paris" }]
    tools: [{ name: "get_weather", description: "Current weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }]
  }) {
    message { content toolCalls { id name arguments } }
    finishReason
  }
}
`;

/**
 * What a transport hands the context factory: Yoga's fetch `request` (HTTP), graphql-ws
 * `connectionParams`, or what the JSON fast lane read from the node request itself.
 */
export interface InitialContext extends AuthenticatedContext {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
  requestId?: string;
  credential?: string;
  signal?: AbortSignal;
  /** See `GatewayContext.requestController`. */
  requestController?: AbortController;
}

/** The self-contained GraphiQL page (its bundle is ~35 MB of heap): loaded on the first visit, not at startup. */
async function renderGraphiQLOnDemand(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}

/** `GET /` leads a visitor to GraphiQL, instead of an empty 404. */
function useRootRedirect(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/' || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: `/graphql${url.search}` } }));
    },
  };
}

/** Where the caller's credential is: the Authorization header (or x-api-key), or graphql-ws connectionParams. */
export function credentialOf(context: InitialContext): string | undefined {
  if (context.credential !== undefined) return context.credential;
  const headers = context.request?.headers;
  const header = headers?.get('authorization') ?? headers?.get('x-api-key');
  if (header) return header;
  const params = context.connectionParams;
  const value = params?.authorization ?? params?.Authorization ?? (params?.headers as Record<string, unknown> | undefined)?.authorization;
  return typeof value === 'string' ? value : undefined;
}

/** Yoga with the gateway's plugins, in the order they must run. */
export function createGatewayYoga(options: {
  schema: GraphQLSchema;
  services: GatewayServices;
  authenticator: Authenticator;
  fieldLimits: FieldRateLimitsOptions;
  server: ServerConfig;
  logger: Logger;
  /** Rate-limits the log lines callers cause (refusals, disconnects); one per gateway. @default one of its own */
  logThrottle?: LogThrottle;
  /** False while starting or draining (or the shared store is away): `/readyz` answers 503 then. */
  isReady: () => Promise<boolean>;
  extraPlugins: { metrics: Plugin; tracing?: Plugin; queryCache?: Plugin; persistedOperations?: Plugin; compiledSubscriptions?: Plugin };
}): GatewayYoga {
  const { extraPlugins } = options;
  const { services, authenticator } = options;
  const { server, logger } = options;
  const yogaLogger = logger.child({ component: 'yoga' });
  const throttle = options.logThrottle ?? createLogThrottle(logger);
  const logUnexpected = (error: unknown) => logFailure(yogaLogger, throttle, error, {}, 'operation failed');
  const masking = createMasking(maskGatewayError, logUnexpected);
  return withoutLazyGlobal('Request', () =>
    createYoga<Record<string, unknown>, GatewayServices>({
      schema: options.schema,
      graphqlEndpoint: '/graphql',
      // Every transport authenticated before parsing (useAuthenticateFirst): the caller is already known.
      context: async (initial: InitialContext) => {
        const signal = initial.signal ?? initial.request?.signal;
        return {
          ...services,
          requestId: initial.requestId ?? requestIdOf(initial.request),
          ...(signal ? { signal } : {}),
          ...(initial.requestController ? { requestController: initial.requestController } : {}),
          principal: initial.principal ?? (await authenticator.authenticate(credentialOf(initial))),
        };
      },
      // Replaced by useDocumentCache: bounded by bytes, and only for valid documents.
      parserAndValidationCache: false,
      logging: {
        debug: (...args: unknown[]) => yogaLogger.debug(args[0] as object),
        info: (...args: unknown[]) => yogaLogger.info(args[0] as object),
        warn: (...args: unknown[]) => yogaLogger.warn(args[0] as object),
        // Yoga logs what it did not expect: a refused credential or a client that left is not a fault.
        error: (...args: unknown[]) => logUnexpected(args[0]),
      },
      // Operation errors are masked by useErrorMasking (last plugin), which masks a compiled
      // subscription's events without envelop's wrapper per event, and gives Yoga the same
      // masking for the errors of its request pipeline.
      maskedErrors: false,
      graphiql: server.graphiql ? { title: 'Switchboard', subscriptionsProtocol: 'WS', defaultQuery: EXAMPLE_OPERATIONS } : false,
      renderGraphiQL: renderGraphiQLOnDemand,
      landingPage: false,
      // CORS comes from server.cors, set on every answer by the HTTP handler (cors.ts), not Yoga's reflecting default.
      cors: false,
      healthCheckEndpoint: '/healthz',
      plugins: [
        // Probes answer before any GraphQL work.
        // (laneHandles: how the fast lane answers for each HTTP-level hook; see fast-lane/lane-hooks.ts.)
        ...(server.graphiql ? [laneHandles(useRootRedirect(), { onRequest: 'not met: GET / only, the lane takes POST /graphql' })] : []),
        laneHandles(useReadinessCheck({ endpoint: '/readyz', check: () => options.isReady() }), { onRequest: 'not met: /readyz only' }),
        // Before useRequestId's result hook: a stream refused at its first event becomes a single result (its status, its id).
        laneHandles(useSseRefusals(), { onResultProcess: 'emulated: takeFirstEvent, then writeSseSingle for a refusal' }),
        // First, so every response (errors included) carries the id.
        laneHandles(useRequestId(), {
          onRequest: 'emulated: requestIdFrom(x-request-id)',
          onResultProcess: 'emulated: finishErrors puts the id on every error',
          onResponse: 'emulated: the x-request-id response header',
        }),
        // Before the body becomes a document: anonymous callers are refused before parse and validation.
        laneHandles(useAuthenticateFirst({ authenticator, credentialOf }), { onParams: 'emulated: authenticateInitial before parse; a refusal goes to Yoga' }),
        // Around every parse and validation (all transports): token and nesting bounds, then the cache of valid documents.
        laneHandles(useBoundedDocuments({ maxTokens: server.maxTokens, maxInputDepth: server.maxInputDepth }), {
          onParams: 'covered: the same variables bound runs in its onExecute/onSubscribe',
        }),
        useDocumentCache(),
        // Before parsing: a persisted id becomes its document (or, in allowlist mode, anything else is refused).
        ...(extraPlugins.persistedOperations
          ? [laneHandles(extraPlugins.persistedOperations, { onParams: 'not met: with persisted operations the gateway does not use the lane' })]
          : []),
        extraPlugins.compiledSubscriptions ?? useCompiledSubscriptions(), // Compiled per-event execution; before tracing, which wraps the subscribe function it finds.
        // Early, so they time and count everything after them; metrics also serves GET /metrics.
        laneHandles(extraPlugins.metrics, { onRequest: 'not met: GET /metrics only' }),
        ...(extraPlugins.tracing ? [extraPlugins.tracing] : []),
        useOperationLog(logger.child({ component: 'graphql' }), throttle),
        // Request-level errors leave with the same code over HTTP as over websockets.
        laneHandles(useRequestErrorCodes(), { onResultProcess: 'emulated: finishErrors (markRequestErrors)' }),
        // Before execution, after the caller is known: per-field limits, subscriptions included.
        useFieldRateLimits(options.fieldLimits),
        // Then every chat field of a mutation is admitted together, or none is.
        useChatAdmission(),
        // After the caller is known (the cache is per caller); hits skip execution.
        ...(extraPlugins.queryCache
          ? [
              laneHandles(extraPlugins.queryCache, {
                onParams: 'falls back: queries stay on Yoga while the response cache is on (FastLaneOptions.queries)',
                onResultProcess: 'falls back: as onParams',
              }),
            ]
          : []),
        // @defer/@stream over HTTP (multipart/mixed or SSE). Adds the two directives to the served schema at
        // startup (Yoga hands the replaced schema to every other plugin, so order does not matter for that) and,
        // during validation, swaps OverlappingFieldsCanBeMergedRule for a defer-aware one: hence here, with the
        // validation plugins. queryCache stores the merged result, so a repeat of a deferred query arrives whole.
        useDeferStream(),
        // During validation: graphql-js 16 throws on @skip/@include at a subscription's root; refused instead.
        useRootSubscriptionDirectives(),
        // During validation: nothing over the limits reaches a resolver.
        useOperationLimits({
          maxDepth: server.maxDepth,
          maxCost: server.maxCost,
          costPerModelCall: server.costPerModelCall,
          modelCallFields: new Set(['chat', 'chatStream']),
        }),
        // During validation: `server.introspection: false` refuses __schema/__type and drops "Did you mean" hints.
        useIntrospectionPolicy({ enabled: server.introspection }),
        // Last, where Yoga puts its masking: every plugin above sees errors as they were thrown.
        useErrorMasking(masking),
      ],
    }),
  );
}
