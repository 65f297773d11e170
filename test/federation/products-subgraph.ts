import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A second, independent subgraph for the federation tests: products that
 * recommend one of Switchboard's models, referenced by id only.
 */
export const productsTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Query {
    products: [Product!]!
  }

  type Product @key(fields: "id") {
    id: ID!
    name: String!
    recommendedModel: Model
  }

  type Model @key(fields: "id", resolvable: false) {
    id: ID!
  }
`);

const PRODUCTS = [
  { id: 'p1', name: 'Echo box', modelId: 'local/echo' },
  { id: 'p2', name: 'Missing model', modelId: 'nope/none' },
];

export function productsSchema() {
  return buildSubgraphSchema({
    typeDefs: productsTypeDefs,
    resolvers: {
      Query: { products: () => PRODUCTS },
      Product: {
        __resolveReference: (ref: { id: string }) => PRODUCTS.find((product) => product.id === ref.id) ?? null,
        recommendedModel: (product: (typeof PRODUCTS)[number]) => ({ __typename: 'Model', id: product.modelId }),
      },
    },
  });
}

/** Serves the products subgraph with Yoga on a random port; resolves with its URL and a stop function. */
export async function startProductsSubgraph(): Promise<{ url: string; stop: () => Promise<void> }> {
  const yoga = createYoga({ schema: productsSchema(), graphqlEndpoint: '/graphql', logging: false });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
