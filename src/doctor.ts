/**
 * `callboard doctor`: checks what a deployment depends on — configuration, database (and its
 * migrations), Redis, the telephony provider — and prints what it found, one line each.
 * Exit code 0 when everything answers, 1 otherwise. Reads only: it applies no migration, creates
 * no key, places no call.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrationStatus } from './db/migrate.ts';
import { processExists } from './data-dir-lock.ts';

export type Check = { name: string; ok: boolean; detail: string };
/** The provider's own check (dialer/providers/index.ts), handed in by main.ts. */
export type ProviderCheck = (config: Config) => Promise<Omit<Check, 'name'>>;

const TIMEOUT_MS = 5000;

/** A URL without its password, for printing. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function checkDatabase(config: Config): Promise<Check> {
  const name = 'database';
  if (!config.databaseUrl) {
    // The embedded database serves one process: a running callboard's folder is not opened here.
    const pid = Number((await readFile(path.join(config.dataDir, 'callboard.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0 && pid !== process.pid && processExists(pid)) {
      return { name, ok: true, detail: `PGlite at ${config.dataDir}, in use by process ${pid} (not opened)` };
    }
    if (
      !(await access(config.dataDir).then(
        () => true,
        () => false,
      ))
    ) {
      return { name, ok: true, detail: `PGlite at ${config.dataDir}: not created yet (the first start creates it)` };
    }
  }
  const where = config.databaseUrl ? `PostgreSQL ${redact(config.databaseUrl)}` : `PGlite at ${config.dataDir}`;
  try {
    const db = await withTimeout(openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir }), where);
    try {
      const status = await withTimeout(
        db.withSql((sql) => migrationStatus(sql)),
        where,
      );
      const pending = status.pending.length ? `${status.pending.length} pending (applied at the next start or by \`callboard migrate\`)` : 'none pending';
      return { name, ok: true, detail: `${where} answers; ${status.applied} migrations applied, ${pending}` };
    } finally {
      await db.close();
    }
  } catch (error) {
    return { name, ok: false, detail: `${where}: ${(error as Error).message}` };
  }
}

async function checkRedis(config: Config): Promise<Check> {
  const name = 'redis';
  if (!config.redisUrl) return { name, ok: true, detail: 'not configured (one process: events stay in it)' };
  const redis = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {}); // reported below
  try {
    await withTimeout(redis.connect(), 'Redis');
    const pong = await withTimeout(redis.ping(), 'Redis');
    return { name, ok: pong === 'PONG', detail: `${redact(config.redisUrl)}: PING → ${pong}` };
  } catch (error) {
    return { name, ok: false, detail: `${redact(config.redisUrl)}: ${(error as Error).message}` };
  } finally {
    redis.disconnect();
  }
}

export async function doctor(config: Config, checkProvider: ProviderCheck, print: (line: string) => void = console.log): Promise<boolean> {
  const checks: Check[] = [
    {
      name: 'configuration',
      ok: true,
      detail:
        `provider ${config.provider}, database ${config.databaseUrl ? 'PostgreSQL' : 'PGlite (embedded)'}, ` +
        `public URL ${config.publicUrl ?? '(not set: links are relative)'}`,
    },
  ];
  checks.push(await checkDatabase(config));
  checks.push(await checkRedis(config));
  checks.push({ name: 'provider', ...(await checkProvider(config).catch((error: Error) => ({ ok: false, detail: error.message }))) });
  for (const c of checks) print(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(13)} ${c.detail}`);
  return checks.every((c) => c.ok);
}
