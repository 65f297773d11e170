import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Scope } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
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
    AuthScopes: { scope: Scope };
    Scalars: {
      JSON: { Input: unknown; Output: unknown };
      DateTime: { Input: string; Output: string };
    };
  }>({
    plugins: [ScopeAuthPlugin, DirectivesPlugin, FederationPlugin],
    defaultFieldNullability: false,
    // Without it, directives are stored in a shape graphql-js's printer ignores.
    directives: { useGraphQLToolsUnorderedDirectives: true },
    scopeAuth: {
      // Without it, an unauthorised subscription would still open its upstream stream.
      authorizeOnSubscribe: true,
      authScopes: (context) => ({ scope: (scope) => context.principal.scopes.has(scope) }),
      unauthorizedError: (_parent, context, info) =>
        new GatewayError('FORBIDDEN', `This ${context.principal.kind === 'jwt' ? 'token' : 'key'} may not use ${info.parentType.name}.${info.fieldName}: it lacks the scope it needs.`, {
          details: { field: `${info.parentType.name}.${info.fieldName}` },
        }),
    },
  });
}

export type Builder = ReturnType<typeof createBuilder>;
