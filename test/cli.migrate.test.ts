import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCliTarget, runCli } from './helpers/cli.ts';
import { makeLeftovers } from './helpers/ws.ts';

const leftovers = makeLeftovers();
afterAll(() => leftovers.disposeAll());

describe('callboard migrate', () => {
  it('applies every migration once, then says the database is up to date', async () => {
    const target = await makeCliTarget(leftovers);
    const first = await runCli(['migrate'], target.env, leftovers);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied: \d{14}_init(, \d{14}_\w+)*\n$/) });
    const second = await runCli(['migrate'], target.env, leftovers);
    expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
  });
});

describe('command line mistakes', () => {
  it('prints the usage with exit code 0 for help', async () => {
    const result = await runCli(['--help'], {}, leftovers);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: callboard') });
  });

  it.each([
    ['serve', 'usage: callboard serve [--no-worker]'],
    ['worker', 'usage: callboard worker'],
    ['migrate', 'usage: callboard migrate'],
    ['keys', 'usage: callboard keys create'],
    ['doctor', 'usage: callboard doctor'],
  ])('prints the help of %s with exit code 0, whatever the environment', async (command, usage) => {
    const result = await runCli([command, '--help'], { PORT: 'eighty' }, leftovers);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining(usage) });
  });

  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(await runCli(['--version'], {}, leftovers)).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['bogus', '--help'], /unknown command "bogus"/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['keys', 'create'], /usage: callboard/],
    [['keys', 'create', '--org', 'acme', '--scope', 'OWNER'], /--scope must be READ, WRITE or ADMIN/],
  ])('refuses %j with a message and exit code 2', async (args, message) => {
    const target = await makeCliTarget(leftovers, { embedded: true });
    const result = await runCli(args, target.env, leftovers);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('refuses an invalid environment before opening anything', async () => {
    const result = await runCli(['serve'], { PORT: 'eighty', CALLBOARD_BOOTSTRAP_KEY: 'short' }, leftovers);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid configuration/);
    expect(result.stderr).toMatch(/PORT/);
    expect(result.stderr).toMatch(/CALLBOARD_BOOTSTRAP_KEY must be at least 16 characters/);
  });
});
