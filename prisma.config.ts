import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate where the native engine exists).
// callboard applies migrations itself: see src/db/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/callboard' },
});
