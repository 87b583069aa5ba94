import type { CodegenConfig } from '@graphql-codegen/cli';

// Prints the SDL from the code-first schema (loaded through tsx: `npm run codegen`) and types the
// operations the tests send. test/schema.sdl.test.ts fails when schema/schema.graphql is stale.
const config: CodegenConfig = {
  schema: './scripts/print-schema-source.ts',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'schema/schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: false, sort: true } },
    'test/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', File: 'File' },
        avoidOptionals: { field: true },
      },
    },
  },
};

export default config;
