import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Scope } from '../config/config-schema.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from './context.js';

/** The one Pothos builder; each domain file adds its types to it. */
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
    plugins: [ScopeAuthPlugin],
    defaultFieldNullability: false,
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
