import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlConnection } from './sql.ts';

export const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

// Prisma's own lock id: `prisma migrate deploy` and this runner exclude each other.
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type Row = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

/**
 * Applies prisma/migrations offline, recording them in `_prisma_migrations` exactly as Prisma does
 * (sha256 checksum, finished_at, applied_steps_count), so `prisma migrate status/deploy` agree
 * wherever the native engine exists. Unlike Prisma, each migration and its record commit in one
 * transaction: a crash mid-migration leaves neither half a schema nor a "failed" row behind.
 * Returns the names applied.
 */
export async function migrate(db: SqlConnection, dir = migrationsDir): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  await db.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
  try {
    await db.exec(CREATE_TABLE);
    const rows = await db.query<Row>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"');
    const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) {
      throw new Error(`migration ${failed.migration_name} failed earlier and blocks the others; resolve it first`);
    }
    const applied = new Map(rows.filter((r) => r.finished_at).map((r) => [r.migration_name, r.checksum]));
    const done: string[] = [];
    for (const name of names) {
      const script = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(script).digest('hex');
      if (applied.has(name)) {
        if (applied.get(name) !== checksum) {
          throw new Error(`migration ${name} was edited after it was applied (checksum differs)`);
        }
        continue;
      }
      const started = new Date();
      await db.exec('BEGIN');
      try {
        await db.exec(script);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), checksum, name, started],
        );
        await db.exec('COMMIT');
      } catch (error) {
        await db.exec('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      done.push(name);
    }
    return done;
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
  }
}

/** What `callboard doctor` reports: migrations applied, and those in the folder not applied yet. */
export async function migrationStatus(db: SqlConnection, dir = migrationsDir): Promise<{ applied: number; pending: string[] }> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  const [table] = await db.query<{ exists: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`);
  const rows = table?.exists ? await db.query<Row>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"') : [];
  const applied = new Set(rows.filter((r) => r.finished_at).map((r) => r.migration_name));
  return { applied: applied.size, pending: names.filter((n) => !applied.has(n)).sort() };
}
