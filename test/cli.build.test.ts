import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MAIN, CLI_TEST_TIMEOUT_MS, makeCliTarget, queryOver, startServe } from './helpers/cli.ts';
import { makeLeftovers } from './helpers/ws.ts';

// The production start: `npm run build`, then `node dist/main.js serve` — plain JavaScript,
// no tsx / esbuild in the process or beside it.
const leftovers = makeLeftovers();
afterAll(() => leftovers.disposeAll());

beforeAll(() => {
  // .ci/run builds before the tests; a developer's checkout may not have (or may have an old) build.
  const fresh = existsSync(BUILT_MAIN) && statSync(BUILT_MAIN).mtimeMs >= statSync(new URL('../src/main.ts', import.meta.url)).mtimeMs;
  if (!fresh) execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
}, 180_000);

/** Every process whose parent is `pid` (esbuild's service would be one under tsx). */
function childrenOf(pid: number): string[] {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

describe('the compiled build', () => {
  it('serves the API from dist/ with no TypeScript tooling running', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const target = await makeCliTarget(leftovers);
    const { child, url } = await startServe({ ...target.env, CALLBOARD_BOOTSTRAP_KEY: 'build-test-bootstrap-key-0123' }, leftovers, ['serve'], BUILT_MAIN);
    const pid = child.proc.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(BUILT_MAIN);
    expect(childrenOf(pid)).toEqual([]);
    const loaded = readFileSync(`/proc/${pid}/maps`, 'utf8');
    expect(loaded).not.toMatch(/esbuild|tsx/);
    expect(await queryOver(url, 'build-test-bootstrap-key-0123', '{ organization { name } }')).toEqual({
      status: 200,
      body: { data: { organization: { name: 'default' } } },
    });
    child.proc.kill('SIGTERM');
    expect(await child.waitForExit()).toMatchObject({ code: 0 });
  });
});
