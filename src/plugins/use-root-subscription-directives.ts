import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses `@skip` / `@include` on the root fields of a subscription, as a validation error.
 *
 * graphql-js 16 cannot run such a document: its SingleFieldSubscriptionsRule evaluates the
 * directives without variables (and throws on `if: $var`), and `subscribe` throws a TypeError
 * when the directive removes the only root field. Both surfaced as INTERNAL_SERVER_ERROR (found
 * by test/fuzz). The GraphQL spec (and graphql-js 17) forbid these directives there.
 */
export function useRootSubscriptionDirectives(): Plugin {
  return {
    onValidate({ params, setResult }) {
      const found = rootDirectiveIn(params.documentAST);
      if (found) {
        setResult([new GraphQLError(`The @${found} directive is not allowed on the root fields of a subscription.`, { extensions: { code: 'BAD_USER_INPUT' } })]);
      }
    },
  };
}

/** The first @skip/@include on a subscription's root selections (fragments followed, each once). */
function rootDirectiveIn(document: DocumentNode): string | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const seen = new Set<string>();
  const search = (selectionSet: SelectionSetNode): string | undefined => {
    for (const selection of selectionSet.selections) {
      const directive = selection.directives?.find((each) => each.name.value === 'skip' || each.name.value === 'include');
      if (directive) return directive.name.value;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = search(selection.selectionSet);
        if (inner) return inner;
      } else if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        const inner = fragment ? search(fragment.selectionSet) : undefined;
        if (inner) return inner;
      }
    }
    return undefined;
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'subscription') continue;
    const found = search(definition.selectionSet);
    if (found) return found;
  }
  return undefined;
}
