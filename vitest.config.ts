import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql ships CJS and ESM builds; Pothos and Yoga load the CJS one, so the tests must too, or
  // graphql sees two copies of itself ("Cannot use GraphQLObjectType from another module").
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own database (in-memory PGlite, or a fresh PostgreSQL database).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on the build machines: more workers only add contention.
    maxWorkers: 2,
  },
});
