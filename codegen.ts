import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { buildSchema } from './src/schema/build-schema.js';

/**
 * `npm run codegen`: prints the SDL of the code-first schema to schema/schema.graphql
 * (committed; CI fails on drift) and typed documents for schema/operations/*.graphql,
 * which the tests and frontends import.
 */
const config: CodegenConfig = {
  schema: printSchema(buildSchema()),
  documents: ['schema/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: true, commentDescriptions: false },
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
