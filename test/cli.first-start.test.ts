import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, makeCliTarget, queryOver, runCli, startServe } from './helpers/cli.ts';
import { makeLeftovers } from './helpers/ws.ts';

// The embedded default (PGlite in CALLBOARD_DATA_DIR), whatever database the suite runs on:
// first-start keys and the data-folder lock exist only there.
const leftovers = makeLeftovers();
afterAll(() => leftovers.disposeAll());

const KEY = /cb_[A-Za-z0-9_-]{43}/g;

describe('first embedded start', () => {
  it(
    'creates an admin key once: printed, saved with mode 600, still valid after a restart',
    async () => {
      const target = await makeCliTarget(leftovers, { embedded: true });

      const first = await startServe(target.env, leftovers);
      const printed = first.child.stdout().match(KEY) ?? [];
      expect(printed).toHaveLength(1);
      const key = printed[0]!;
      const file = path.join(target.dataDir, 'admin-key');
      expect(await readFile(file, 'utf8')).toBe(`${key}\n`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await queryOver(first.url, key, '{ organization { name } }')).body).toEqual({ data: { organization: { name: 'default' } } });
      // The key is printed on its own, never inside a log line.
      expect(first.child.logs().some((l) => JSON.stringify(l).includes(key))).toBe(false);
      first.child.proc.kill('SIGTERM');
      expect(await first.child.waitForExit()).toEqual({ code: 0, signal: null });

      const second = await startServe(target.env, leftovers);
      expect(second.child.stdout().match(KEY)).toBeNull();
      expect(await readFile(file, 'utf8')).toBe(`${key}\n`);
      expect((await queryOver(second.url, key, '{ organization { name } }')).status).toBe(200);
      second.child.proc.kill('SIGTERM');
      expect((await second.child.waitForExit()).code).toBe(0);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'creates no key file when CALLBOARD_BOOTSTRAP_KEY is set',
    async () => {
      const target = await makeCliTarget(leftovers, { embedded: true });
      const env = { ...target.env, CALLBOARD_BOOTSTRAP_KEY: 'first-start-bootstrap-0123456789' };
      const server = await startServe(env, leftovers);
      expect(server.child.stdout().match(KEY)).toBeNull();
      await expect(stat(path.join(target.dataDir, 'admin-key'))).rejects.toMatchObject({ code: 'ENOENT' });
      server.child.proc.kill('SIGTERM');
      expect((await server.child.waitForExit()).code).toBe(0);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('data folder lock', () => {
  it(
    'refuses a second process on a folder in use, and takes over a lock whose process is gone',
    async () => {
      const target = await makeCliTarget(leftovers, { embedded: true });
      const server = await startServe(target.env, leftovers);
      const busy = await runCli(['keys', 'create', '--org', 'acme'], target.env, leftovers);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`in use by process ${server.child.pid}`);
      server.child.proc.kill('SIGTERM');
      expect((await server.child.waitForExit()).code).toBe(0);
      await expect(stat(path.join(target.dataDir, 'callboard.pid'))).rejects.toMatchObject({ code: 'ENOENT' });

      // A crashed process leaves its pid file behind: a pid that no longer runs is not a lock.
      const gone = spawn(process.execPath, ['-e', '']);
      const stalePid = gone.pid!;
      await new Promise((resolve) => gone.once('exit', resolve));
      await writeFile(path.join(target.dataDir, 'callboard.pid'), `${stalePid}\n`);
      expect(await runCli(['migrate'], target.env, leftovers)).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
