#!/usr/bin/env node
// `npx callboard …` / an installed `callboard` binary. Production runs the compiled build
// (`npm run build` → dist/, plain JavaScript: no TypeScript tooling at run time). A checkout whose
// sources are newer than its build (or that has none) runs the sources through tsx, a development
// dependency, so a stale dist/ never runs code that is not in src/ any more.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/main.js', root);
const sources = new URL('src/', root);

/** Newest modification time under a folder (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return latest;
}

if (existsSync(built) && statSync(built).mtimeMs >= newest(sources)) {
  await import(built.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('callboard: no up-to-date build in dist/ and no tsx to run the sources: run `npm run build` first');
    process.exit(1);
  }
  register();
  await import(new URL('src/main.ts', root).href);
}
