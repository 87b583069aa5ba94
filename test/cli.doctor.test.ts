import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetellEmulator } from './emulators/retell/emulator.ts';
import { CLI_TEST_TIMEOUT_MS, makeCliTarget, runCli } from './helpers/cli.ts';
import { makeLeftovers } from './helpers/ws.ts';

const leftovers = makeLeftovers();
let emulator: RetellEmulator;
beforeAll(async () => {
  emulator = await new RetellEmulator().start();
});
afterAll(async () => {
  await emulator?.close();
  await leftovers.disposeAll();
});

describe('callboard doctor', () => {
  it('reports the database, its migrations, Redis and the simulator, and exits 0', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const target = await makeCliTarget(leftovers);
    expect(await runCli(['migrate'], target.env, leftovers)).toMatchObject({ code: 0 });
    const env = { ...target.env, ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) };
    const result = await runCli(['doctor'], env, leftovers);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok +database +.* answers; \d+ migrations applied, none pending$/m);
    expect(result.stdout).toMatch(/^ok +redis +/m);
    expect(result.stdout).toMatch(/^ok +provider +simulator/m);
  });

  it('checks the Retell key against Retell, and fails (exit 1) on a refused key or an unreachable Redis', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const target = await makeCliTarget(leftovers);
    const retell = {
      CALLBOARD_PROVIDER: 'retell',
      RETELL_BASE_URL: emulator.url,
      RETELL_FROM_NUMBER: '+14155550100',
      CALLBOARD_PUBLIC_URL: 'https://callboard.example.com',
    };
    const good = await runCli(['doctor'], { ...target.env, ...retell, RETELL_API_KEY: emulator.apiKey }, leftovers);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(
      /^ok +provider +Retell at .*: API key accepted; calling from \+14155550100; webhooks expected at https:\/\/callboard\.example\.com\/webhooks\/retell/m,
    );
    // Nothing was created by looking: the data folder of a first start stays unopened.
    expect(good.stdout).toMatch(/^ok +database +.*(not created yet|answers)/m);

    const refused = await runCli(['doctor'], { ...target.env, ...retell, RETELL_API_KEY: 'key_wrong', REDIS_URL: 'redis://127.0.0.1:1' }, leftovers);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL provider +Retell at .*401/m);
    expect(refused.stdout).toMatch(/^FAIL redis +redis:\/\/127\.0\.0\.1:1: /m);
  });
});
