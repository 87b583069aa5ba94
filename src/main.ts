import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp, type App } from './app.ts';
import { createKey, ensureBootstrapKey, ensureDefaultOrg, findOrg } from './auth/keys.ts';
import { loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { startServer } from './server.ts';
import { startScheduler } from './services/scheduler.ts';

const USAGE = `usage: callboard <command>
  serve [--no-worker]        GraphQL API (+ dialer worker and scheduler unless --no-worker)
  worker                     dialer worker only
  migrate                    apply database migrations and exit
  keys create --org <id|name> [--name <label>] [--role ADMIN|MEMBER]
                             print a new API key for an organisation (created if missing)`;

/**
 * CALLBOARD_BOOTSTRAP_KEY wins; otherwise the first embedded start creates an admin key, keeps it
 * in the data folder (mode 600) and prints it once.
 */
async function ensureAccess(app: App, config: Config) {
  if (config.bootstrapKey) return ensureBootstrapKey(app.db.prisma, config.bootstrapKey);
  const org = await ensureDefaultOrg(app.db.prisma);
  if (config.databaseUrl || (await app.db.prisma.apiKey.count()) > 0) return;
  const key = await createKey(app.db.prisma, org, { name: 'first start' });
  const file = path.join(config.dataDir, 'admin-key');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, key + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  console.log(`\ncallboard: created an admin API key (also saved in ${file}):\n\n  ${key}\n`);
}

async function serve(config: Config, withWorker: boolean) {
  const app = await createApp(config);
  await ensureAccess(app, config);
  const server = await startServer(app, { port: config.port, host: config.host });
  const scheduler = withWorker ? startScheduler(app) : null;
  const worker = withWorker ? await startEmbeddedWorker(app) : null;
  app.logger.info({ url: server.url, database: app.db.kind, worker: withWorker }, 'callboard is listening');
  onShutdown(async () => {
    await worker?.stop();
    await scheduler?.stop();
    await server.close();
    await app.close();
  }, app);
}

async function startEmbeddedWorker(app: App): Promise<{ stop(): Promise<void> } | null> {
  const dialer = await import('./dialer/worker.ts').catch(() => null);
  return dialer ? dialer.startWorker(app) : null;
}

async function worker(config: Config) {
  const app = await createApp(config);
  const running = await startEmbeddedWorker(app);
  if (!running) throw new Error('the dialer worker is not available in this build');
  const scheduler = startScheduler(app);
  onShutdown(async () => {
    await running.stop();
    await scheduler.stop();
    await app.close();
  }, app);
}

/** SIGTERM/SIGINT: stop taking work, finish or release what is in flight, close the database. */
function onShutdown(stop: () => Promise<void>, app: App) {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

async function runMigrate(config: Config) {
  const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    const applied = await db.withSql(migrate);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

async function keys(config: Config, args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { org: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  });
  if (positionals[0] !== 'create' || !values.org) throw new Error(USAGE);
  const role = (values.role ?? 'ADMIN').toUpperCase();
  if (role !== 'ADMIN' && role !== 'MEMBER') throw new Error('--role must be ADMIN or MEMBER');
  const app = await createApp(config);
  try {
    const org =
      (await findOrg(app.db.prisma, values.org)) ?? (await app.db.prisma.organization.create({ data: { name: values.org } }));
    console.log(await createKey(app.db.prisma, org, { name: values.name, role }));
  } finally {
    await app.close();
  }
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config, !rest.includes('--no-worker'));
    case 'worker':
      return worker(config);
    case 'migrate':
      return runMigrate(config);
    case 'keys':
      return keys(config, rest);
    default:
      console.error(USAGE);
      process.exitCode = command ? 1 : 0;
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

