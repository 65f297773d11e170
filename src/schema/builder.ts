import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import ScopeGuardPlugin from './scope-guard-plugin.js';
import type { GatewayContext } from './context.js';

/**
 * The one Pothos builder; each domain file adds its types to it. With the
 * federation plugin the schema is also an Apollo Federation v2 subgraph
 * (`Model` and `Provider` are entities; see build-schema.ts).
 */
export function createBuilder() {
  return new SchemaBuilder<{
    Context: GatewayContext;
    DefaultFieldNullability: false;
    Scalars: {
      JSON: { Input: unknown; Output: unknown };
      DateTime: { Input: string; Output: string };
    };
  }>({
    plugins: [ScopeGuardPlugin, DirectivesPlugin, FederationPlugin],
    defaultFieldNullability: false,
    // Without it, directives are stored in a shape graphql-js's printer ignores.
    directives: { useGraphQLToolsUnorderedDirectives: true },
  });
}

export type Builder = ReturnType<typeof createBuilder>;
