import SchemaBuilder, {
  BasePlugin,
  type FieldNullability,
  type InputFieldMap,
  type PothosOutputFieldConfig,
  type SchemaTypes,
  type TypeParam,
} from '@pothos/core';
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      scopeGuard: ScopeGuardPlugin<Types>;
    }
    // The parameters must be Pothos' own, for the declarations to merge.
    interface FieldOptions<
      Types extends SchemaTypes,
      ParentShape,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveShape,
      ResolveReturnShape,
    > {
      /** The scope a caller's key or token must hold: checked before the field resolves, and before a subscription starts. */
      authScopes?: { scope: Scope };
    }
  }
}

type Resolver = GraphQLFieldResolver<unknown, object, object>;

/** Refuses a caller without the field's scope, in the words every transport reports (FORBIDDEN). */
function assertScope(context: object, scope: Scope, info: GraphQLResolveInfo): void {
  const { principal } = context as { principal: Principal };
  if (principal.scopes.has(scope)) return;
  const field = `${info.parentType.name}.${info.fieldName}`;
  throw new GatewayError('FORBIDDEN', `This ${principal.kind === 'jwt' ? 'token' : 'key'} may not use ${field}: it lacks the scope it needs.`, {
    details: { field },
  });
}

/**
 * Field scopes (`authScopes: { scope }`), checked by a plain wrapper around the field's resolver,
 * or, on a subscription field, around its `subscribe` (an unauthorized subscription never opens its
 * upstream stream; its events are not checked again). Nothing is kept per request: no cache keyed
 * by the context, whose entry would point back at it and so outlive young-generation GCs.
 */
export class ScopeGuardPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: Resolver, fieldConfig: PothosOutputFieldConfig<Types>): Resolver {
    const scope = fieldConfig.pothosOptions.authScopes?.scope;
    // A subscription field's resolver runs per event: its `subscribe` is where it is checked, once.
    const checkedOnSubscribe = fieldConfig.kind === 'Subscription' && 'subscribe' in fieldConfig.pothosOptions;
    if (!scope || checkedOnSubscribe) return resolver;
    return (parent, args, context, info) => {
      assertScope(context, scope, info);
      return resolver(parent, args, context, info);
    };
  }

  override wrapSubscribe(subscribe: Resolver | undefined, fieldConfig: PothosOutputFieldConfig<Types>): Resolver | undefined {
    const scope = fieldConfig.pothosOptions.authScopes?.scope;
    if (!scope || !subscribe) return subscribe;
    return (parent, args, context, info) => {
      assertScope(context, scope, info);
      return subscribe(parent, args, context, info);
    };
  }
}

const pluginName = 'scopeGuard';
SchemaBuilder.registerPlugin(pluginName, ScopeGuardPlugin);
export default pluginName;
