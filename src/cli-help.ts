import { readFileSync } from 'node:fs';

/** What `callboard --help` and `callboard <command> --help` print (exit code 0). */
export const USAGE = `usage: callboard <command> [--help]
  serve [--no-worker]        GraphQL API (+ dialer worker, scheduler and webhook sender unless --no-worker)
  worker                     dialer worker, scheduler and webhook sender only
  migrate                    apply database migrations and exit
  keys create --org <id|name> [--name <label>] [--scope READ|WRITE|ADMIN]
                             print a new API key for an organisation (created if missing)
  doctor                     check the database, Redis and the provider, and print what was found
  --version                  print the version

environment: PORT HOST CALLBOARD_DATA_DIR DATABASE_URL REDIS_URL CALLBOARD_BOOTSTRAP_KEY
             CALLBOARD_SIMULATOR_SPEED CALLBOARD_SIMULATOR_SEED LOG_LEVEL NODE_ENV
             CALLBOARD_PUBLIC_URL CALLBOARD_MAX_UPLOAD_BYTES (see the README for all)`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `usage: callboard serve [--no-worker]
  Serves GraphQL (HTTP, SSE, graphql-ws), /exports, /imports and /health on HOST:PORT, and runs the
  dialer worker, the scheduler and the webhook sender in the same process.
  --no-worker   the API only (scaled mode: run \`callboard worker\` processes beside it)
  Applies pending migrations first. SIGTERM / SIGINT stop it gracefully.`,
  worker: `usage: callboard worker
  Runs the dialer worker, the scheduler and the webhook sender, without the API. Any number may
  run against one PostgreSQL database (leases keep them apart). Applies pending migrations first.`,
  migrate: `usage: callboard migrate
  Applies pending database migrations (DATABASE_URL, else the PGlite folder CALLBOARD_DATA_DIR) and exits.`,
  keys: `usage: callboard keys create --org <id|name> [--name <label>] [--scope READ|WRITE|ADMIN]
  Prints a new API key for the organisation (a name that matches none creates it). The scope is
  ADMIN by default; READ keys only query and subscribe, WRITE keys also run campaigns.`,
  doctor: `usage: callboard doctor
  Checks the configuration, the database (and pending migrations), Redis and the telephony provider
  (with Retell: whether the API key is accepted), one line each. Changes nothing, places no call.
  Exit code 0 when everything answers, 1 otherwise.`,
};

/** An operator's mistake: printed as a message (no stack), exit code 2 for usage, else 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The package's version (package.json), for `callboard --version`. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
