import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openMigratedDatabase, type Database } from '../../src/db/client.ts';

export interface TestDatabase {
  db: Database;
  /** Connection string of the test's own PostgreSQL database (undefined on PGlite). */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of the test file's own: in-memory PGlite by default, or a fresh database
 * on the PostgreSQL server of DATABASE_URL (created here, dropped in drop()).
 */
export async function makeTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openMigratedDatabase({ observeQueries: true });
    return { db, drop: () => db.close() };
  }
  const name = `callboard_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openMigratedDatabase({ url: url.toString(), poolSize: 20, observeQueries: true });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/**
 * An empty database of its own on the PostgreSQL server of DATABASE_URL, not migrated and not
 * opened (for child processes such as `callboard migrate` to start from nothing). Only when
 * DATABASE_URL is set.
 */
export async function makeEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('makeEmptyPostgresDatabase needs DATABASE_URL');
  const name = `callboard_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
