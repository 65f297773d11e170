import { printSubgraphSchema } from '@apollo/subgraph';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, printSchema, visit, type ASTNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from './src/schema/build-schema.js';

const schema = buildSchema();

/** Every operation in `folder`'s .graphql files, keyed by the SHA-256 of its self-contained text. */
function persistedOperations(folder: string): Record<string, string> {
  const definitions = readdirSync(folder)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .flatMap((file) => parse(readFileSync(join(folder, file), 'utf8')).definitions);
  const fragments = new Map(
    definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  const manifest: Record<string, string> = {};
  for (const operation of definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)) {
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: ASTNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (fragment && !used.has(fragment.name.value)) {
            used.set(fragment.name.value, fragment);
            collect(fragment);
          }
        },
      });
    collect(operation);
    const text = print({ kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] });
    manifest[createHash('sha256').update(text).digest('hex')] = text;
  }
  return manifest;
}

/**
 * `npm run codegen`: prints the SDL of the code-first schema to schema/schema.graphql
 * (committed; CI fails on drift) and typed documents for schema/operations/*.graphql,
 * which the tests and frontends import. schema/subgraph.graphql is the Apollo
 * Federation subgraph SDL (with @link/@key; what `_service { sdl }` serves) for
 * composing a supergraph.
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  documents: ['schema/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: true, commentDescriptions: false },
    },
    'schema/subgraph.graphql': {
      plugins: [{ add: { content: printSubgraphSchema(schema) } }],
    },
    // The persisted operations manifest (`server.persistedOperations.manifest`): SHA-256 of each
    // operation's document (with the fragments it uses) → that document, as APQ clients hash it.
    'schema/persisted-operations.json': {
      plugins: [{ add: { content: JSON.stringify(persistedOperations('schema/operations'), null, 2) } }],
    },
    'schema/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { JSON: 'unknown' },
        documentMode: 'documentNode',
      },
    },
  },
};

export default config;
