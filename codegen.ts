import type { CodegenConfig } from '@graphql-codegen/cli';

// Prints the SDL from the code-first schema (loaded through tsx: `npm run codegen`), types the
// operations the tests send, and types the documents the campaign page sends (client preset: the
// same documents any front-end can copy from schema/operations/). test/schema.sdl.test.ts fails when
// schema/schema.graphql is stale; the typecheck fails when an operation no longer fits the schema.
const scalars = { DateTime: 'string', JSON: 'unknown', File: 'File' };
const config: CodegenConfig = {
  schema: './scripts/print-schema-source.ts',
  generates: {
    'schema/schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: false, sort: true } },
    'test/generated/operations.ts': {
      documents: ['test/operations/**/*.graphql'],
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { useTypeImports: true, enumsAsTypes: true, scalars, avoidOptionals: { field: true } },
    },
    'web/src/gql/': {
      documents: ['schema/operations/**/*.graphql'],
      preset: 'client',
      // Plain strings, not parsed ASTs: the page sends them as they are and bundles no graphql-js.
      presetConfig: { fragmentMasking: false },
      config: { documentMode: 'string', useTypeImports: true, enumsAsTypes: true, scalars, avoidOptionals: { field: true } },
    },
  },
};

export default config;
