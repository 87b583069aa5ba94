#!/usr/bin/env node
// `npx callboard …` / an installed `callboard` binary: callboard ships TypeScript sources run
// through tsx (no build step), so register tsx's loader, then run the CLI.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
