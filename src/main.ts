import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { App } from './app.ts';
import { API_KEY_SCOPES, createKey, ensureBootstrapKey, ensureDefaultOrg, findOrg, generateKey, type ApiKeyScope } from './auth/keys.ts';
import { loadConfig, type Config } from './config.ts';
import { openMigratedDatabase, openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { createLogger, type Logger } from './logger.ts';
import { isUuid } from './domain/ids.ts';
import { CliError, COMMAND_HELP, USAGE, version } from './cli-help.ts';
import { lockDataDir } from './data-dir-lock.ts';

// The API (schema, Yoga) and the services load only for `serve` / `worker`: `migrate`, `keys`
// and `--help` start in a fraction of the time.
const loadServices = async () => ({
  ...(await import('./app.ts')),
  ...(await import('./server.ts')),
  ...(await import('./dialer/scheduler.ts')),
  ...(await import('./dialer/worker.ts')),
  ...(await import('./dialer/webhook-sender.ts')),
  ...(await import('./tracing-sdk.ts')),
});

const usageError = (message = USAGE) => new CliError(message, 2);

function databaseOptions(config: Config) {
  return config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir };
}

/**
 * CALLBOARD_BOOTSTRAP_KEY wins; otherwise the first embedded start creates an admin key, keeps it
 * in the data folder (mode 600) and prints it once. On PostgreSQL nothing is created: keys come
 * from the bootstrap key or `callboard keys create`.
 */
async function ensureAccess(app: App, config: Config) {
  if (config.bootstrapKey) return ensureBootstrapKey(app.db.prisma, config.bootstrapKey);
  const org = await ensureDefaultOrg(app.db.prisma);
  if ((await app.db.prisma.apiKey.count({ where: { revokedAt: null } })) > 0) return;
  if (config.databaseUrl) {
    app.logger.warn('no API key exists: set CALLBOARD_BOOTSTRAP_KEY or run `callboard keys create --org <name>`');
    return;
  }
  // File first, row second: a crash in between leaves no key that nobody knows.
  const key = generateKey();
  const file = path.join(config.dataDir, 'admin-key');
  await mkdir(config.dataDir, { recursive: true });
  // Written under a temporary name with mode 600 from the start, then renamed: the key is never
  // readable by others, not even for a moment, and never half-written.
  await writeFile(`${file}.tmp`, `${key}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  await createKey(app.db.prisma, org, { name: 'first start', key });
  const page = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/`;
  console.log(`\ncallboard: created an admin API key (also saved in ${file}):\n\n  ${key}\n\nOpen ${page} and paste it to see your campaigns live.\n`);
}

/**
 * SIGTERM/SIGINT: stop taking work, finish or release what is in flight, close the database
 * (PGlite flushes its folder on close), exit 0. A signal that arrives while starting is honoured
 * once start-up is complete, so nothing is left half-opened.
 */
function shutdownOnSignal(logger: Logger) {
  const steps: Array<() => Promise<unknown>> = [];
  let ready = false;
  let signal: NodeJS.Signals | null = null;
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    // Worker calls get time to finish, but a stuck close must not keep the process forever.
    setTimeout(() => process.exit(1), 30_000).unref();
    // Logging must not stop the shutdown: with stdout a closed pipe (the terminal is gone) the
    // write throws, and the process would otherwise never close its database.
    try {
      logger.info({ signal }, 'shutting down');
    } catch {}
    closeAll(steps).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Repeated signals are ignored (npm forwards Ctrl-C to a child that the terminal signalled too).
  const onSignal = (s: NodeJS.Signals) => {
    signal ??= s;
    if (ready) run();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    /** Registers a closer; closers run in reverse order of registration. */
    add(step: () => Promise<unknown>) {
      steps.push(step);
    },
    ready() {
      ready = true;
      if (signal) run();
    },
    /** Start-up failed: close what was opened. */
    abort: () => closeAll(steps),
  };
}

async function closeAll(steps: Array<() => Promise<unknown>>) {
  while (steps.length) await steps.pop()!();
}

async function serve(config: Config, logger: Logger, args: string[]) {
  const { values } = parseArgs({ args, options: { 'no-worker': { type: 'boolean', default: false } } });
  const withWorker = !values['no-worker'];
  const shutdown = shutdownOnSignal(logger);
  try {
    const { createApp, startServer, startScheduler, startWorker, startWebhookSender, startTracing } = await loadServices();
    // Registered first, closed last: the spans of the shutdown itself are flushed too.
    const stopTracing = await startTracing(config);
    if (stopTracing) shutdown.add(stopTracing);
    shutdown.add(await lockDataDir(config));
    const app = await createApp(config, { logger });
    shutdown.add(() => app.close());
    await ensureAccess(app, config);
    const server = await startServer(app, { port: config.port, host: config.host });
    shutdown.add(() => server.close());
    let workerRunning = false;
    if (withWorker) {
      const scheduler = startScheduler(app);
      shutdown.add(() => scheduler.stop());
      const worker = await startWorker(app);
      shutdown.add(() => worker.stop());
      const sender = startWebhookSender(app);
      shutdown.add(() => sender.stop());
      workerRunning = true;
    }
    logger.info({ url: server.url, page: new URL('/', server.url).href, database: app.db.kind, worker: workerRunning }, 'callboard is listening');
  } catch (error) {
    await shutdown.abort();
    throw error;
  }
  shutdown.ready();
}

async function worker(config: Config, logger: Logger, args: string[]) {
  parseArgs({ args, options: {} });
  const shutdown = shutdownOnSignal(logger);
  try {
    const { createApp, startScheduler, startWorker, startWebhookSender, startTracing } = await loadServices();
    const stopTracing = await startTracing(config);
    if (stopTracing) shutdown.add(stopTracing);
    shutdown.add(await lockDataDir(config));
    const app = await createApp(config, { logger });
    shutdown.add(() => app.close());
    const scheduler = startScheduler(app);
    shutdown.add(() => scheduler.stop());
    const running = await startWorker(app);
    shutdown.add(() => running.stop());
    const sender = startWebhookSender(app);
    shutdown.add(() => sender.stop());
    if (config.workerMetricsPort !== undefined) {
      const { startMetricsServer } = await import('./server-metrics.ts');
      const metrics = await startMetricsServer(app, config.workerMetricsPort, config.host);
      shutdown.add(metrics.close);
    }
    logger.info({ database: app.db.kind, metricsPort: config.workerMetricsPort }, 'callboard worker is running');
  } catch (error) {
    await shutdown.abort();
    throw error;
  }
  shutdown.ready();
}

async function runMigrate(config: Config, args: string[]) {
  parseArgs({ args, options: {} });
  const release = await lockDataDir(config);
  try {
    const db = await openDatabase(databaseOptions(config));
    try {
      const applied = await db.withSql(migrate);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.close();
    }
  } finally {
    await release();
  }
}

/** Prints only the key on stdout, so scripts can capture it: KEY=$(callboard keys create --org acme). */
async function keys(config: Config, args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { org: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' } },
  });
  if (positionals[0] !== 'create' || positionals.length > 1 || !values.org?.trim()) throw usageError();
  const scope = (values.scope ?? 'ADMIN').toUpperCase();
  if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) throw usageError('--scope must be READ, WRITE or ADMIN');
  const orgName = values.org.trim();
  // Only the database: no pub/sub, no Redis connection for a one-shot command.
  const release = await lockDataDir(config);
  const db = await openMigratedDatabase(databaseOptions(config)).catch(async (error) => {
    await release();
    throw error;
  });
  try {
    let org = await findOrg(db.prisma, orgName);
    if (!org) {
      // A name makes a new organisation; an id that matches nothing is a typo, not a new tenant.
      if (isUuid(orgName)) throw new CliError(`no organisation has the id ${orgName}`);
      org = await db.prisma.organization.upsert({ where: { name: orgName }, update: {}, create: { name: orgName } });
    }
    console.log(await createKey(db.prisma, org, { name: values.name, scopes: [scope as ApiKeyScope] }));
  } finally {
    await db.close();
    await release();
  }
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(version());
    return;
  }
  // Before the configuration is read: help must work even where the environment is wrong.
  if (rest.includes('--help') || rest.includes('-h')) {
    if (!COMMAND_HELP[command]) throw usageError(`unknown command "${command}"\n${USAGE}`);
    console.log(COMMAND_HELP[command]);
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'serve':
      return serve(config, logger, rest);
    case 'worker':
      return worker(config, logger, rest);
    case 'migrate':
      return runMigrate(config, rest);
    case 'keys':
      return keys(config, rest);
    case 'doctor': {
      parseArgs({ args: rest, options: {} });
      const [{ doctor }, { checkProvider }] = await Promise.all([import('./doctor.ts'), import('./dialer/providers/index.ts')]);
      if (!(await doctor(config, checkProvider))) process.exitCode = 1;
      return;
    }
    default:
      throw usageError(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  // Operator mistakes (usage, configuration, a busy data folder) get the message, bugs the stack.
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) error = usageError(error.message);
  if (error.message.startsWith('invalid configuration')) error = new CliError(error.message);
  console.error(error instanceof CliError ? error.message : error);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
