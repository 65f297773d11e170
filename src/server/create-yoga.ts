import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type GraphiQLOptions, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { ServerConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import { useBodyLimit } from '../plugins/use-body-limit.js';
import { maskGatewayError, useRequestErrorCodes } from '../plugins/use-error-codes.js';
import { useOperationLimits } from '../plugins/use-operation-limits.js';
import { useOperationLog } from '../plugins/use-operation-log.js';
import { useRootSubscriptionDirectives } from '../plugins/use-root-subscription-directives.js';
import { requestIdOf, useRequestId } from '../plugins/use-request-id.js';
import type { Authenticator } from '../auth/create-authenticator.js';
import { useFieldRateLimits, type FieldRateLimitsOptions } from '../plugins/use-field-rate-limits.js';
import type { GatewayServices } from '../schema/context.js';

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayServices>;

const EXAMPLE_OPERATIONS = `# Welcome to Switchboard. Run an operation with the ▶ button.
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

subscription Stream {
  chatStream(input: { model: "local/lorem", maxTokens: 40, messages: [{ role: USER, content: "Write something" }] }) {
    delta
    done
    finishReason
    usage { totalTokens }
  }
}
`;

/**
 * What a transport hands the context factory: Yoga's fetch `request` (HTTP), graphql-ws
 * `connectionParams`, or what the JSON fast lane read from the node request itself.
 */
export interface InitialContext {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
  requestId?: string;
  credential?: string;
  signal?: AbortSignal;
}

/** The self-contained GraphiQL page (its bundle is ~35 MB of heap): loaded on the first visit, not at startup. */
async function renderGraphiQLOnDemand(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
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
  /** False while starting or draining (or the shared store is away): `/readyz` answers 503 then. */
  isReady: () => Promise<boolean>;
  extraPlugins: { metrics: Plugin; tracing?: Plugin; queryCache: Plugin; persistedOperations?: Plugin };
}): GatewayYoga {
  const { extraPlugins } = options;
  const { services, authenticator } = options;
  const { server, logger } = options;
  const yogaLogger = logger.child({ component: 'yoga' });
  return createYoga<Record<string, unknown>, GatewayServices>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    // Runs before execution: a bad credential fails the whole request with 401.
    context: async (initial: InitialContext) => {
      const signal = initial.signal ?? initial.request?.signal;
      return {
        ...services,
        requestId: initial.requestId ?? requestIdOf(initial.request),
        ...(signal ? { signal } : {}),
        principal: await authenticator.authenticate(credentialOf(initial)),
      };
    },
    logging: {
      debug: (...args: unknown[]) => yogaLogger.debug(args[0] as object),
      info: (...args: unknown[]) => yogaLogger.info(args[0] as object),
      warn: (...args: unknown[]) => yogaLogger.warn(args[0] as object),
      error: (...args: unknown[]) => yogaLogger.error({ err: args[0] }, 'operation failed'),
    },
    maskedErrors: { maskError: maskGatewayError },
    graphiql: server.graphiql ? { title: 'Switchboard', subscriptionsProtocol: 'WS', defaultQuery: EXAMPLE_OPERATIONS } : false,
    renderGraphiQL: renderGraphiQLOnDemand,
    landingPage: false,
    healthCheckEndpoint: '/healthz',
    plugins: [
      // Probes answer before any GraphQL work.
      useReadinessCheck({ endpoint: '/readyz', check: () => options.isReady() }),
      // First, so every response (errors included) carries the id.
      useRequestId(),
      // Before parsing: a persisted id becomes its document (or, in allowlist mode, anything else is refused).
      ...(extraPlugins.persistedOperations ? [extraPlugins.persistedOperations] : []),
      // Early, so they time and count everything after them; metrics also serves GET /metrics.
      extraPlugins.metrics,
      ...(extraPlugins.tracing ? [extraPlugins.tracing] : []),
      // Before parsing: a huge body is refused without reading it.
      useBodyLimit({ maxBodyBytes: server.maxBodyBytes }),
      useOperationLog(logger.child({ component: 'graphql' })),
      // Request-level errors leave with the same code over HTTP as over websockets.
      useRequestErrorCodes(),
      // Before execution, after the caller is known: per-field limits, subscriptions included.
      useFieldRateLimits(options.fieldLimits),
      // After the caller is known (the cache is per caller); hits skip execution.
      extraPlugins.queryCache,
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
    ],
  });
}
