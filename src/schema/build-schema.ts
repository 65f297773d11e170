import type { GraphQLSchema } from 'graphql';
import { createBuilder } from './builder.js';
import { addAccountsSchema } from './accounts-schema.js';
import { addCatalogSchema } from './catalog-schema.js';
import { addChatSchema } from './chat-schema.js';
import { addEmbeddingsSchema } from './embeddings-schema.js';
import { addReportsSchema } from './reports-schema.js';
import { addScalars } from './scalars.js';

/**
 * The gateway's GraphQL schema, an Apollo Federation v2 subgraph (`_service`,
 * `_entities`, `@key` on Model and Provider). Pure: no services are needed to build it.
 */
export function buildSchema(): GraphQLSchema {
  const builder = createBuilder();
  addScalars(builder);
  addCatalogSchema(builder);
  addChatSchema(builder);
  const { ApiKeyRef } = addAccountsSchema(builder);
  addReportsSchema(builder, ApiKeyRef);
  addEmbeddingsSchema(builder);
  return builder.toSubGraphSchema({
    sortSchema: false,
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key', '@shareable'],
  });
}
