/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Models($capability: ModelCapability, $provider: String) {\n  models(capability: $capability, provider: $provider) {\n    id\n    provider\n    upstream\n    description\n    contextWindow\n    maxOutputTokens\n    pricing {\n      input\n      output\n    }\n    capabilities\n    health {\n      ...HealthFields\n    }\n  }\n}\n\nfragment HealthFields on TargetHealth {\n  state\n  latencyMs\n  errorRate\n  inFlight\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    provider\n    upstream\n    capabilities\n  }\n}\n\nquery Routes {\n  routes {\n    id\n    strategy\n    description\n    targets {\n      model\n      weight\n      health {\n        ...HealthFields\n      }\n    }\n  }\n}\n\nquery Providers {\n  providers {\n    id\n    type\n    models {\n      id\n    }\n    health {\n      ...HealthFields\n    }\n  }\n}": typeof types.ModelsDocument,
    "fragment UsageFields on Usage {\n  promptTokens\n  completionTokens\n  totalTokens\n  costUsd\n  estimated\n}\n\nfragment AttemptFields on Attempt {\n  model\n  provider\n  outcome\n  latencyMs\n  errorCode\n}\n\nmutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    id\n    model\n    provider\n    message {\n      role\n      content\n      toolCalls {\n        id\n        name\n        arguments\n      }\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    cached\n    attempts {\n      ...AttemptFields\n    }\n    latencyMs\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    id\n    model\n    provider\n    delta\n    toolCallDeltas {\n      index\n      id\n      name\n      argumentsDelta\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    attempts {\n      ...AttemptFields\n    }\n    cached\n    done\n  }\n}": typeof types.UsageFieldsFragmentDoc,
    "query Embed($model: String!, $input: String!) {\n  embedding(model: $model, input: $input) {\n    vector\n    dimensions\n    model\n    usage {\n      promptTokens\n      costUsd\n    }\n  }\n}": typeof types.EmbedDocument,
};
const documents: Documents = {
    "query Models($capability: ModelCapability, $provider: String) {\n  models(capability: $capability, provider: $provider) {\n    id\n    provider\n    upstream\n    description\n    contextWindow\n    maxOutputTokens\n    pricing {\n      input\n      output\n    }\n    capabilities\n    health {\n      ...HealthFields\n    }\n  }\n}\n\nfragment HealthFields on TargetHealth {\n  state\n  latencyMs\n  errorRate\n  inFlight\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    provider\n    upstream\n    capabilities\n  }\n}\n\nquery Routes {\n  routes {\n    id\n    strategy\n    description\n    targets {\n      model\n      weight\n      health {\n        ...HealthFields\n      }\n    }\n  }\n}\n\nquery Providers {\n  providers {\n    id\n    type\n    models {\n      id\n    }\n    health {\n      ...HealthFields\n    }\n  }\n}": types.ModelsDocument,
    "fragment UsageFields on Usage {\n  promptTokens\n  completionTokens\n  totalTokens\n  costUsd\n  estimated\n}\n\nfragment AttemptFields on Attempt {\n  model\n  provider\n  outcome\n  latencyMs\n  errorCode\n}\n\nmutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    id\n    model\n    provider\n    message {\n      role\n      content\n      toolCalls {\n        id\n        name\n        arguments\n      }\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    cached\n    attempts {\n      ...AttemptFields\n    }\n    latencyMs\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    id\n    model\n    provider\n    delta\n    toolCallDeltas {\n      index\n      id\n      name\n      argumentsDelta\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    attempts {\n      ...AttemptFields\n    }\n    cached\n    done\n  }\n}": types.UsageFieldsFragmentDoc,
    "query Embed($model: String!, $input: String!) {\n  embedding(model: $model, input: $input) {\n    vector\n    dimensions\n    model\n    usage {\n      promptTokens\n      costUsd\n    }\n  }\n}": types.EmbedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Models($capability: ModelCapability, $provider: String) {\n  models(capability: $capability, provider: $provider) {\n    id\n    provider\n    upstream\n    description\n    contextWindow\n    maxOutputTokens\n    pricing {\n      input\n      output\n    }\n    capabilities\n    health {\n      ...HealthFields\n    }\n  }\n}\n\nfragment HealthFields on TargetHealth {\n  state\n  latencyMs\n  errorRate\n  inFlight\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    provider\n    upstream\n    capabilities\n  }\n}\n\nquery Routes {\n  routes {\n    id\n    strategy\n    description\n    targets {\n      model\n      weight\n      health {\n        ...HealthFields\n      }\n    }\n  }\n}\n\nquery Providers {\n  providers {\n    id\n    type\n    models {\n      id\n    }\n    health {\n      ...HealthFields\n    }\n  }\n}"): (typeof documents)["query Models($capability: ModelCapability, $provider: String) {\n  models(capability: $capability, provider: $provider) {\n    id\n    provider\n    upstream\n    description\n    contextWindow\n    maxOutputTokens\n    pricing {\n      input\n      output\n    }\n    capabilities\n    health {\n      ...HealthFields\n    }\n  }\n}\n\nfragment HealthFields on TargetHealth {\n  state\n  latencyMs\n  errorRate\n  inFlight\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    provider\n    upstream\n    capabilities\n  }\n}\n\nquery Routes {\n  routes {\n    id\n    strategy\n    description\n    targets {\n      model\n      weight\n      health {\n        ...HealthFields\n      }\n    }\n  }\n}\n\nquery Providers {\n  providers {\n    id\n    type\n    models {\n      id\n    }\n    health {\n      ...HealthFields\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment UsageFields on Usage {\n  promptTokens\n  completionTokens\n  totalTokens\n  costUsd\n  estimated\n}\n\nfragment AttemptFields on Attempt {\n  model\n  provider\n  outcome\n  latencyMs\n  errorCode\n}\n\nmutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    id\n    model\n    provider\n    message {\n      role\n      content\n      toolCalls {\n        id\n        name\n        arguments\n      }\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    cached\n    attempts {\n      ...AttemptFields\n    }\n    latencyMs\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    id\n    model\n    provider\n    delta\n    toolCallDeltas {\n      index\n      id\n      name\n      argumentsDelta\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    attempts {\n      ...AttemptFields\n    }\n    cached\n    done\n  }\n}"): (typeof documents)["fragment UsageFields on Usage {\n  promptTokens\n  completionTokens\n  totalTokens\n  costUsd\n  estimated\n}\n\nfragment AttemptFields on Attempt {\n  model\n  provider\n  outcome\n  latencyMs\n  errorCode\n}\n\nmutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    id\n    model\n    provider\n    message {\n      role\n      content\n      toolCalls {\n        id\n        name\n        arguments\n      }\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    cached\n    attempts {\n      ...AttemptFields\n    }\n    latencyMs\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    id\n    model\n    provider\n    delta\n    toolCallDeltas {\n      index\n      id\n      name\n      argumentsDelta\n    }\n    finishReason\n    usage {\n      ...UsageFields\n    }\n    attempts {\n      ...AttemptFields\n    }\n    cached\n    done\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Embed($model: String!, $input: String!) {\n  embedding(model: $model, input: $input) {\n    vector\n    dimensions\n    model\n    usage {\n      promptTokens\n      costUsd\n    }\n  }\n}"): (typeof documents)["query Embed($model: String!, $input: String!) {\n  embedding(model: $model, input: $input) {\n    vector\n    dimensions\n    model\n    usage {\n      promptTokens\n      costUsd\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;