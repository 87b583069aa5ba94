import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { migrate } from './migrate.ts';
import { pgConnection, pgliteConnection, type SqlConnection } from './sql.ts';

export type { PrismaClient };

export type DatabaseOptions =
  /** PostgreSQL through @prisma/adapter-pg. */
  (
    | { url: string; poolSize?: number }
    /** Embedded PGlite with its data in `dataDir`, or in memory when dataDir is omitted (tests). */
    | { dataDir?: string }
  ) & {
    /** Emit every statement to onQuery listeners (tests count queries). Off in production: Prisma
     * then formats every statement with its parameters, a large string for a 5,000-row batch. */
    observeQueries?: boolean;
  };

export interface Database {
  kind: 'postgres' | 'pglite';
  prisma: PrismaClient;
  /** Runs a raw SQL script or query outside Prisma (migrations, admin). */
  withSql<T>(fn: (sql: SqlConnection) => Promise<T>): Promise<T>;
  /** Called with every SQL statement Prisma sends (only when opened with observeQueries). */
  onQuery(listener: ((sql: string) => void) | null): void;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const log: QueryLog = options.observeQueries ? QUERY_LOG : [];
  return 'url' in options ? openPostgres(options.url, options.poolSize, log) : openPglite(options.dataDir, log);
}

/** Opens the database and brings its schema up to date (what `serve` and `worker` do at start). */
export async function openMigratedDatabase(options: DatabaseOptions): Promise<Database> {
  const db = await openDatabase(options);
  try {
    await db.withSql(migrate);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

type QueryLog = { emit: 'event'; level: 'query' }[];
const QUERY_LOG: QueryLog = [{ emit: 'event', level: 'query' }];

function withQueryEvents(prisma: PrismaClient) {
  let listener: ((sql: string) => void) | null = null;
  (prisma as unknown as { $on(e: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) => listener?.(e.query));
  return (l: ((sql: string) => void) | null) => {
    listener = l;
  };
}

async function openPglite(dataDir: string | undefined, log: QueryLog): Promise<Database> {
  let pglite: PGlite;
  if (dataDir) {
    const folder = path.join(dataDir, 'pgdata');
    await mkdir(folder, { recursive: true });
    pglite = await PGlite.create(folder);
  } else {
    pglite = await PGlite.create();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), log: [...log] });
  const onQuery = withQueryEvents(prisma);
  const sql = pgliteConnection(pglite);
  return {
    kind: 'pglite',
    prisma,
    withSql: (fn) => fn(sql),
    onQuery,
    async close() {
      await prisma.$disconnect();
      // Without close() the WASM instance keeps the process alive and the data folder unflushed.
      if (!pglite.closed) await pglite.close();
    },
  };
}

async function openPostgres(url: string, poolSize = 10, log: QueryLog): Promise<Database> {
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: poolSize }),
    log: [...log],
  });
  const onQuery = withQueryEvents(prisma);
  return {
    kind: 'postgres',
    prisma,
    async withSql(fn) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await fn(pgConnection(client));
      } finally {
        await client.end();
      }
    },
    onQuery,
    async close() {
      await prisma.$disconnect();
    },
  };
}
