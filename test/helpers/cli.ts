import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEmptyPostgresDatabase } from './database.ts';
import type { Leftovers } from './ws.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The package's own `bin` entry: the CLI tests go through the launcher users run. */
const BIN = path.join(ROOT, 'bin', 'callboard.js');
/** The compiled build (`npm run build`). */
export const BUILT_MAIN = path.join(ROOT, 'dist', 'main.js');

/** Start-up compiles TypeScript and migrates a fresh database: generous, but bounded. */
export const CHILD_DEADLINE_MS = 90_000;
/** A test that starts and stops several children in sequence. */
export const CLI_TEST_TIMEOUT_MS = 300_000;

export interface CliTarget {
  /** CALLBOARD_DATA_DIR, plus DATABASE_URL of an empty database of its own when on PostgreSQL. */
  env: Record<string, string>;
  dataDir: string;
  kind: 'pglite' | 'postgres';
}

/**
 * Where a child process keeps its data: a fresh temporary data folder (PGlite), or — when the
 * suite runs on PostgreSQL (DATABASE_URL) and `embedded` is not forced — an empty database of its
 * own. Removed/dropped by leftovers (register it before any child, so it goes after them).
 */
export async function makeCliTarget(leftovers: Leftovers, options: { embedded?: boolean } = {}): Promise<CliTarget> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'callboard-cli-'));
  leftovers.add(() => rm(dataDir, { recursive: true, force: true }));
  if (options.embedded || !process.env.DATABASE_URL) return { env: { CALLBOARD_DATA_DIR: dataDir }, dataDir, kind: 'pglite' };
  const database = await makeEmptyPostgresDatabase();
  leftovers.add(() => database.drop());
  return { env: { CALLBOARD_DATA_DIR: dataDir, DATABASE_URL: database.url }, dataDir, kind: 'postgres' };
}

export interface CliChild {
  proc: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** pino's JSON lines on stdout, parsed, in order. */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line whose msg is `msg` (rejects if the process exits first). */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  waitForExit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `callboard <args>` with only the environment given (plus PATH/HOME, and REDIS_URL when
 * the suite has one), never the test runner's. Killed in leftovers if still running.
 */
/** `entry`: the script node runs (the bin by default; `dist/main.js` for the compiled build). */
export function spawnCli(args: string[], env: Record<string, string>, leftovers: Leftovers, entry = BIN): CliChild {
  const proc = spawn(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of waiters) wake();
  };
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    wakeAll();
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  proc.on('exit', (code, signal) => {
    exit = { code, signal };
    wakeAll();
  });
  leftovers.add(async () => {
    if (exit) return;
    proc.kill('SIGKILL');
    await until(() => exit ?? undefined, 'the killed child to exit', 10_000);
  });

  const logs = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  /** Re-checks `take` whenever the child writes or exits, until it returns a value or time is up. */
  async function until<T>(take: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        waiters.add(wake);
      });
    }
  }

  return {
    proc,
    pid: proc.pid!,
    stdout: () => out,
    stderr: () => err,
    logs,
    waitForLog: (msg, timeoutMs = CHILD_DEADLINE_MS) =>
      until(
        () => {
          const line = logs().find((l) => l.msg === msg);
          if (line) return line;
          if (exit) throw new Error(`callboard exited (${exit.code ?? exit.signal}) before logging "${msg}"\nstdout:\n${out}\nstderr:\n${err}`);
          return undefined;
        },
        `"${msg}"`,
        timeoutMs,
      ),
    waitForExit: (timeoutMs = CHILD_DEADLINE_MS) => until(() => exit ?? undefined, 'callboard to exit', timeoutMs),
  };
}

/** Runs a one-shot command (`migrate`, `keys create`) to completion. */
export async function runCli(args: string[], env: Record<string, string>, leftovers: Leftovers) {
  const child = spawnCli(args, env, leftovers);
  const { code } = await child.waitForExit();
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** Starts `callboard serve …` and waits for its "callboard is listening" log line. */
export async function startServe(env: Record<string, string>, leftovers: Leftovers, args = ['serve', '--no-worker'], entry = BIN) {
  const child = spawnCli(args, env, leftovers, entry);
  const listening = await child.waitForLog('callboard is listening');
  return { child, url: listening.url as string };
}

/** Sends `{ query }` to a running server with `key` and returns the HTTP status and JSON body. */
export async function queryOver(url: string, key: string | null, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, any>; errors?: unknown[] } };
}
