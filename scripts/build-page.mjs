// Bundles the campaign page (web/) into web/dist with Vite. Part of postinstall, so `npm install
// && npm start` serves it; also `npm run build:web`. An install without development dependencies
// has no Vite: it keeps the web/dist built beside dist/, or serves a "not built" notice without it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
try {
  createRequire(import.meta.url).resolve('vite/package.json');
} catch {
  const built = existsSync(new URL('../web/dist/index.html', import.meta.url));
  console.log(`callboard: Vite not installed (production install); ${built ? 'serving the page built in web/dist' : 'the campaign page is not built'}`);
  process.exit(0);
}
const result = spawnSync('npx', ['--no-install', 'vite', 'build', 'web'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
