import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { migrate } from './migrate.ts';
import { statementNames } from './statement-names.ts';
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

/**
 * PGlite's own default is PostgreSQL's 128 MB of shared buffers, all of it in the process's
 * WebAssembly memory: most of an idle embedded server's RSS. Its files are read through Node's file
 * system, which the OS caches anyway, so 32 MB costs reads little (bench: the embedded scenarios)
 * and the idle server shrinks by ~100 MB.
 */
const PGLITE_START = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

async function openPglite(dataDir: string | undefined, log: QueryLog): Promise<Database> {
  let pglite: PGlite;
  if (dataDir) {
    const folder = path.join(dataDir, 'pgdata');
    await mkdir(folder, { recursive: true });
    // The first start runs initdb, whose WebAssembly memory (~300 MB) the instance keeps for its
    // life; closing that instance and opening the folder again leaves it to the garbage collector.
    if (!existsSync(path.join(folder, 'PG_VERSION'))) await (await PGlite.create(folder, { startParams: PGLITE_START })).close();
    pglite = await PGlite.create(folder, { startParams: PGLITE_START });
  } else {
    pglite = await PGlite.create({ startParams: PGLITE_START });
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
    adapter: new PrismaPg({ connectionString: url, max: poolSize }, { statementNameGenerator: statementNames() }),
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
