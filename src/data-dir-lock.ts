import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './cli-help.ts';
import type { Config } from './config.ts';

/**
 * PGlite is one process's database: two processes on one folder each see only their own writes
 * while both write the same files (measured: a key made by `keys create` while `serve` ran never
 * reached the server). A pid file refuses the second process; one whose process is gone (crash,
 * kill -9) is taken over. Best effort against mistakes, not a lock manager. Returns the release.
 */
export async function lockDataDir(config: Config): Promise<() => Promise<void>> {
  if (config.databaseUrl) return async () => {};
  await mkdir(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, 'callboard.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && processExists(pid)) {
        throw new CliError(
          `the data folder ${config.dataDir} is in use by process ${pid}; stop it first ` +
            '(the embedded database serves one process: use DATABASE_URL to run several)',
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new CliError(`could not lock the data folder ${config.dataDir}`);
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
