import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * The smallest SQL surface the migration runner and test helpers need, over either driver.
 * Application code goes through Prisma; this is for scripts (migrations) and raw admin work.
 */
export interface SqlConnection {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
}

export function pgliteConnection(db: PGlite): SqlConnection {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(script) {
      await db.exec(script);
    },
  };
}

export function pgConnection(client: pg.ClientBase): SqlConnection {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(script) {
      await client.query(script);
    },
  };
}
