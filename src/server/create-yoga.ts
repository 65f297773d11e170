import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLSchema } from 'graphql';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import type { ServerConfig } from '../config/config-schema.js';
import type { Logger } from '../create-logger.js';
import { useBodyLimit } from '../plugins/use-body-limit.js';
import { maskGatewayError, useRequestErrorCodes } from '../plugins/use-error-codes.js';
import { useOperationLimits } from '../plugins/use-operation-limits.js';
import { useOperationLog } from '../plugins/use-operation-log.js';
import { useRequestId } from '../plugins/use-request-id.js';
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

/** Yoga with the gateway's plugins, in the order they must run. */
export function createGatewayYoga(options: {
  schema: GraphQLSchema;
  services: GatewayServices;
  server: ServerConfig;
  logger: Logger;
  /** False while starting or draining: `/readyz` answers 503 then. */
  isReady: () => boolean;
}): GatewayYoga {
  const { server, logger } = options;
  const yogaLogger = logger.child({ component: 'yoga' });
  return createYoga<Record<string, unknown>, GatewayServices>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    context: options.services,
    logging: {
      debug: (...args: unknown[]) => yogaLogger.debug(args[0] as object),
      info: (...args: unknown[]) => yogaLogger.info(args[0] as object),
      warn: (...args: unknown[]) => yogaLogger.warn(args[0] as object),
      error: (...args: unknown[]) => yogaLogger.error({ err: args[0] }, 'operation failed'),
    },
    maskedErrors: { maskError: maskGatewayError },
    graphiql: server.graphiql ? { title: 'Switchboard', subscriptionsProtocol: 'WS', defaultQuery: EXAMPLE_OPERATIONS } : false,
    renderGraphiQL,
    landingPage: false,
    healthCheckEndpoint: '/healthz',
    plugins: [
      // Probes answer before any GraphQL work.
      useReadinessCheck({ endpoint: '/readyz', check: () => options.isReady() }),
      // First, so every response (errors included) carries the id.
      useRequestId(),
      // Before parsing: a huge body is refused without reading it.
      useBodyLimit({ maxBodyBytes: server.maxBodyBytes }),
      useOperationLog(logger.child({ component: 'graphql' })),
      // Request-level errors leave with the same code over HTTP as over websockets.
      useRequestErrorCodes(),
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
