import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/build-schema.js';
import { productsTypeDefs } from './products-subgraph.js';

const subgraphSdl = printSubgraphSchema(buildSchema());

describe('federation composition', () => {
  it('the committed schema/subgraph.graphql matches the code-first schema (run npm run codegen)', () => {
    const committed = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');
    expect(committed.trim()).toBe(subgraphSdl.trim());
  });

  it('the subgraph SDL declares Model and Provider as entities keyed by id', () => {
    expect(subgraphSdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    expect(subgraphSdl).toMatch(/type Model\s+@key\(fields: "id"\)/);
    expect(subgraphSdl).toMatch(/type Provider\s+@key\(fields: "id"\)/);
  });

  it('composes with an independent products subgraph that references Model by id', () => {
    const result = composeServices([
      { name: 'switchboard', typeDefs: parse(subgraphSdl), url: 'http://switchboard.test/graphql' },
      { name: 'products', typeDefs: productsTypeDefs, url: 'http://products.test/graphql' },
    ]);
    expect(result.errors ?? []).toEqual([]);
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toMatch(/SWITCHBOARD @join__graph\(name: "switchboard", url: "http:\/\/switchboard.test\/graphql"\)/);
    expect(supergraph).toMatch(/PRODUCTS @join__graph\(name: "products", url: "http:\/\/products.test\/graphql"\)/);
    // Both subgraphs' types are in it; Model is owned by switchboard and keyed in both.
    expect(supergraph).toMatch(/type Product\b[^{]*@join__type\(graph: PRODUCTS, key: "id"\)/);
    expect(supergraph).toMatch(/type Model\b[^{]*@join__type\(graph: SWITCHBOARD, key: "id"\)/);
    expect(supergraph).toMatch(/type Model\b[^{]*@join__type\(graph: PRODUCTS, key: "id", resolvable: false\)/);
    expect(supergraph).toContain('chatStream');
    expect(result.publicSdl).toMatch(/recommendedModel: Model/);
    expect(result.publicSdl).not.toContain('_entities');
  });
});
