/**
 * The two servers under test, each a child process killed in cleanup: `callboard serve` (from the
 * repo's bin) and PostGraphile 5.1.5 (from the cache folder outside the repo), both on loopback
 * with a pool of 10 PostgreSQL connections.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanups, ensurePeer, freePort, startChild } from './harness.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEER_PACKAGES = ['postgraphile@5.1.5', '@graphile/simplify-inflection@9'];
// The peer's Node 20 polyfill ships beside the repo (../shared), wherever the checkout lives.
const POLYFILL = path.join(ROOT, '../shared/peer/postgraphile/polyfill.mjs');

export function peerDir(): string {
  if (!existsSync(POLYFILL)) throw new Error(`the peer's polyfill is missing: ${POLYFILL} (../shared beside the repo)`);
  return ensurePeer(process.env.PEER_DIR ?? path.join(os.homedir(), '.cache/callboard-bench/postgraphile-5.1.5'), PEER_PACKAGES);
}

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `callboard serve` on a free port; env adds to (or, with '', removes from) a minimal environment. */
export async function startCallboard(label: string, env: Record<string, string>, args: string[] = ['--no-worker']): Promise<Server> {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    CALLBOARD_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'callboard-bench-')),
  };
  const merged = Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== ''));
  return startChild(label, process.execPath, [path.join(ROOT, 'bin/callboard.js'), 'serve', ...args], { cwd: ROOT, env: merged }, (out) => {
    for (const line of out.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const l = JSON.parse(line);
        if (l.msg === 'callboard is listening') return l.url as string;
      } catch {}
    }
    return undefined;
  });
}

/** PostGraphile (Amber preset + simplify-inflection, schema public) on `dbUrl`, plus `plugins` (module source). */
export async function startPeer(dbUrl: string, plugin?: { file: string; source: string; exportName: string }): Promise<Server> {
  const dir = peerDir();
  const port = await freePort();
  const tag = Math.random().toString(36).slice(2, 8);
  const configPath = path.join(dir, `bench-${tag}.graphile.config.mjs`);
  const pluginPath = plugin ? path.join(dir, `bench-${tag}-${plugin.file}`) : null;
  if (plugin && pluginPath) await writeFile(pluginPath, plugin.source);
  await writeFile(
    configPath,
    `import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
${plugin ? `import { ${plugin.exportName} } from ${JSON.stringify(pluginPath)};` : ''}
export default {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  ${plugin ? `plugins: [${plugin.exportName}],` : ''}
  pgServices: [makePgService({ connectionString: ${JSON.stringify(dbUrl)}, schemas: ["public"], poolConfig: { max: 10 }${plugin ? ', pubsub: true' : ''} })],
  grafserv: { host: "127.0.0.1", port: ${port}, graphiql: false${plugin ? ', websockets: true' : ''} },
  grafast: { explain: false },
};
`,
  );
  cleanups.push(() => Promise.all([rm(configPath, { force: true }), pluginPath ? rm(pluginPath, { force: true }) : null]));
  return startChild(
    'postgraphile',
    process.execPath,
    ['node_modules/postgraphile/dist/cli-run.js', '-C', configPath],
    { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NODE_OPTIONS: `--import ${POLYFILL}` } },
    (out) => (/Server listening|listening on|http:\/\/127\.0\.0\.1:\d+/i.test(out) ? `http://127.0.0.1:${port}/graphql` : undefined),
  );
}
