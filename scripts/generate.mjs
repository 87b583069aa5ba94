// Runs `prisma generate` without letting Prisma download its native schema engine (the build
// machines reach only the npm registry). generate does not need that engine; any existing file
// satisfies the check. Never set this variable for `prisma migrate`: it then applies nothing.
//
// It is also the postinstall step: an install without development dependencies (`npm install
// --omit=dev` beside a dist/ built elsewhere) has no prisma CLI and needs no generation — the
// build holds the generated client — so that case is skipped, not failed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let hasPrismaCli = true;
try {
  createRequire(import.meta.url).resolve('prisma/package.json');
} catch {
  hasPrismaCli = false;
}
if (!hasPrismaCli) {
  if (existsSync(new URL('../dist/main.js', import.meta.url))) {
    console.log('callboard: prisma CLI not installed (production install); using the client compiled into dist/');
    process.exit(0);
  }
  console.error(
    'callboard: the prisma CLI (a development dependency) is needed to generate the client: run `npm install` with development dependencies, then `npm run build`',
  );
  process.exit(1);
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate', '--no-hints'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: fileURLToPath(import.meta.url), PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
process.exit(result.status ?? 1);
