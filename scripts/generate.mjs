// Runs `prisma generate` without letting Prisma download its native schema engine (the build
// machines reach only the npm registry). generate does not need that engine; any existing file
// satisfies the check. Never set this variable for `prisma migrate`: it then applies nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate', '--no-hints'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: fileURLToPath(import.meta.url), PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
process.exit(result.status ?? 1);
