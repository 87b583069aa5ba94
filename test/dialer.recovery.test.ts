import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TelephonyProvider } from '../src/dialer/provider.ts';
import { createSimulator } from '../src/dialer/providers/simulator.ts';
import type { SimulatorOptions } from '../src/dialer/providers/simulator-options.ts';
import { startWorker, type RunningWorker, type WorkerOptions } from '../src/dialer/worker.ts';
import { StartCampaignDocument, StopCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectApiStatsExact } from './helpers/calls.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';
import { counting, frozen } from './helpers/providers.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'callboard-dialer-recovery-'));
let ledgers = 0;
let t: TestApp;
let org: TestOrg;
const workers: RunningWorker[] = [];
const providers: TelephonyProvider[] = [];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(providers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const FAST: WorkerOptions = { pollIntervalMs: 50, recoveryIntervalMs: 100, batchWindowMs: 10 };
/** For the worker that is going to "die": its calls are free for others one second later. */
const SHORT_LEASE: WorkerOptions = { leaseMs: 1000, renewIntervalMs: 300 };

async function worker(provider: TelephonyProvider, options: WorkerOptions = {}) {
  const w = await startWorker(t.app, { ...FAST, provider, ...options });
  workers.push(w);
  return w;
}

function simulator(ledgerPath: string, options: SimulatorOptions = {}) {
  // Instances sharing a ledger must share seed, mix, timing and speed (simulator.ts).
  const sim = createSimulator({ seed: 3, speed: 1000, ledgerPath, ...options });
  providers.push(sim);
  return sim;
}

const attempts = (campaignId: string) => t.app.db.prisma.callAttempt.count({ where: { campaignId, isTest: false } });
const completed = async (campaignId: string) => (await campaignStatus(t, campaignId)).status === 'COMPLETED';

describe('crash recovery, in one process (a worker abandoned without cleanup stands for kill -9)', () => {
  it('an abandoned worker’s calls are taken over after its lease and reconciled with the provider: none lost, none dialed twice', async () => {
    const ledgerPath = path.join(dir, `ledger-${++ledgers}.jsonl`);
    const firstSim = simulator(ledgerPath);
    const first = await worker(firstSim, SHORT_LEASE);
    const campaign = await makeDialableCampaign(org, { contacts: 80, settings: { maxConcurrentCalls: 20, maxAttempts: 2 } });
    await waitFor(async () => first.heldCalls >= 10 && (await attempts(campaign.dbId)) >= 30, 'the first worker to be busy');
    // No renewals, no results, no released leases: like a SIGKILL, which also ends its simulator
    // (the calls it placed go on at the "provider": the shared ledger knows them).
    await first.abandon();
    await firstSim.close();
    const held = await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: 'IN_PROGRESS' } });
    expect(held).toBeGreaterThan(0);

    const second = counting(simulator(ledgerPath));
    await worker(second.provider);
    await waitFor(() => completed(campaign.dbId), 'the second worker to finish the campaign', 60_000);
    expect(second.counts.lookups).toBeGreaterThan(0);
    await expectApiStatsExact(t, org, campaign.id);
    const audit = await auditLedger(t, ledgerPath, campaign.dbId);
    expect(audit.dials).toBe((await attempts(campaign.dbId)) - audit.neverDialed);
  });

  it('attempts committed but never dialed (died between claim and dial) are marked NOT_DIALED, put back and dialed once', async () => {
    const ledgerPath = path.join(dir, `ledger-${++ledgers}.jsonl`);
    const stuck = frozen();
    const first = await worker(stuck, SHORT_LEASE);
    const campaign = await makeDialableCampaign(org, { contacts: 15, settings: { maxConcurrentCalls: 10, maxAttempts: 1, maxCallbacks: 0 } });
    await waitFor(() => stuck.pending === 10, 'ten claimed calls whose dial hangs');
    await first.abandon();

    await worker(simulator(ledgerPath));
    await waitFor(() => completed(campaign.dbId), 'the campaign to complete', 60_000);
    const audit = await auditLedger(t, ledgerPath, campaign.dbId);
    expect(audit.neverDialed).toBe(10);
    expect(audit.dials).toBe(15);
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, include: { attempts: { orderBy: { number: 'asc' } } } });
    for (const call of calls.filter((c) => c.attempts.length === 2)) {
      expect(call.attempts.map((a) => [a.number, a.outcome === 'NOT_DIALED'])).toEqual([
        [1, true],
        [2, false],
      ]);
      expect(call.attemptCount).toBe(1); // the undialed attempt does not count
    }
    await expectApiStatsExact(t, org, campaign.id);
  });

  it('a campaign stopped meanwhile: never-dialed calls found on recovery are CANCELED / NOT_DIALED, not dialed', async () => {
    const ledgerPath = path.join(dir, `ledger-${++ledgers}.jsonl`);
    const stuck = frozen();
    const first = await worker(stuck, SHORT_LEASE);
    const campaign = await makeDialableCampaign(org, { contacts: 6, settings: { maxConcurrentCalls: 4, maxAttempts: 1 } });
    await waitFor(() => stuck.pending === 4, 'four claimed calls whose dial hangs');
    await first.abandon();
    await org.exec(StopCampaignDocument, { input: { id: campaign.id } }); // cancels the 2 waiting calls

    await worker(simulator(ledgerPath));
    await waitFor(
      async () => (await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: 'IN_PROGRESS' } })) === 0,
      'recovery of the four calls',
    );
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, include: { attempts: true } });
    expect(calls.map((c) => [c.status, c.outcome, c.attemptCount])).toEqual(Array(6).fill(['CANCELED', 'NOT_DIALED', 0]));
    expect(calls.filter((c) => c.attempts.length === 1).every((c) => c.attempts[0]!.outcome === 'NOT_DIALED')).toBe(true);
    const audit = await auditLedger(t, ledgerPath, campaign.dbId);
    expect(audit).toEqual({ dials: 0, neverDialed: 4 });
    await expectApiStatsExact(t, org, campaign.id);
  });

  it('graceful stop lets calls finish until its timeout, then releases the rest so another worker reconciles them at once', async () => {
    const ledgerPath = path.join(dir, `ledger-${++ledgers}.jsonl`);
    // Long calls (30–240 s of talk at 200×: 0.15–1.2 s) and a 30 s lease: only a release can
    // make another worker take over quickly.
    const slow = { speed: 200, mix: { ANSWERED: 1 } };
    const first = await worker(simulator(ledgerPath, slow), { leaseMs: 30_000, stopTimeoutMs: 50 });
    workers.pop();
    const campaign = await makeDialableCampaign(org, { contacts: 10, settings: { maxConcurrentCalls: 5 } });
    await waitFor(() => first.heldCalls === 5, 'five calls in progress');
    await first.stop();
    const released = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId, status: 'IN_PROGRESS' } });
    expect(released.length).toBeGreaterThan(0);
    for (const call of released) {
      expect(call.leaseOwner).toBeNull();
      expect(call.leaseExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now());
    }
    await worker(simulator(ledgerPath, slow), { leaseMs: 30_000 });
    await waitFor(() => completed(campaign.dbId), 'the campaign to complete', 30_000);
    await auditLedger(t, ledgerPath, campaign.dbId);
    await expectApiStatsExact(t, org, campaign.id);
  });
});

describe('a failing provider', () => {
  it('refused dials leave NOT_DIALED attempts and waiting calls with a reason; repeated refusals pause the campaign (SYSTEM_FAILURE)', async () => {
    const refusing: TelephonyProvider = {
      name: 'refusing',
      dial: async () => {
        throw new Error('503 from the carrier API');
      },
      onResult: () => () => {},
      lookup: async () => ({ state: 'unknown' }),
      lookupByAttempt: async () => ({ state: 'unknown' }),
      close: async () => {},
    };
    await worker(refusing, { maxDialFailures: 5 });
    const campaign = await makeDialableCampaign(org, { contacts: 8, settings: { maxConcurrentCalls: 8 } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'PAUSED', 'the campaign to pause');
    expect(await campaignStatus(t, campaign.dbId)).toEqual({ status: 'PAUSED', pauseReason: 'SYSTEM_FAILURE' });
    await waitFor(async () => (await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: 'IN_PROGRESS' } })) === 0, 'no call in progress');
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, include: { attempts: true } });
    const tried = calls.filter((c) => c.attempts.length > 0);
    expect(tried.length).toBeGreaterThanOrEqual(5);
    for (const call of tried) {
      expect(call).toMatchObject({ status: 'PENDING', attemptCount: 0 });
      expect(call.waitReason).toContain('503 from the carrier API');
      expect(call.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
      expect(call.attempts.every((a) => a.outcome === 'NOT_DIALED' && a.telephonyStatus === 'CANCELED')).toBe(true);
    }
    await expectApiStatsExact(t, org, campaign.id);
  });
});

// Several processes need a database server: on PGlite (one process) the tests above cover the
// same recovery paths in one process.
if (process.env.DATABASE_URL) {
  describe('crash recovery across processes (PostgreSQL)', () => {
    const children = new Set<ChildProcess>();
    afterAll(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    });

    function spawnWorker(id: string, ledgerPath: string): ChildProcess {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
        cwd: repoRoot,
        env: {
          ...process.env,
          DATABASE_URL: t.database.url,
          CALLBOARD_SIMULATOR_LEDGER: ledgerPath,
          CALLBOARD_SIMULATOR_SPEED: '100',
          CALLBOARD_SIMULATOR_SEED: '11',
          CALLBOARD_WORKER_ID: id,
          LOG_LEVEL: 'warn',
          NODE_ENV: 'test',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (code !== 0 && signal !== 'SIGKILL') console.error(`worker ${id} exited ${code ?? signal}:\n${stderr}`);
      });
      children.add(child);
      return child;
    }

    const leasedBy = (id: string) => t.app.db.prisma.call.count({ where: { leaseOwner: id, status: 'IN_PROGRESS' } });

    async function kill(child: ChildProcess, id: string, campaignId: string) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      // The 30 s lease would run out by itself; the test moves the dead worker's clock forward
      // instead of waiting (campaign row first, as every writer of call rows does).
      await t.app.db.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM campaign WHERE id = ${campaignId}::uuid FOR UPDATE`;
        await tx.$executeRaw`UPDATE "call" SET lease_expires_at = now() - interval '1 second' WHERE lease_owner = ${id} AND status = 'IN_PROGRESS'`;
      });
    }

    it('SIGKILL of a worker process, three times mid-run: 0 lost calls, 0 contacts dialed more than their attempts allow (ledger)', async () => {
      const ledgerPath = path.join(dir, `ledger-${++ledgers}.jsonl`);
      const campaign = await makeDialableCampaign(org, { contacts: 150, settings: { maxConcurrentCalls: 20, maxAttempts: 2 }, start: false });
      const running = new Map<string, ChildProcess>();
      let n = 0;
      const start = () => {
        const id = `chaos-${++n}`;
        running.set(id, spawnWorker(id, ledgerPath));
        return id;
      };
      // Two workers; each victim is killed once it holds calls, its replacement is started just
      // before (process start-up is the slow part on two cores). Victims: the first two, then the
      // first replacement; the last two replacements finish the campaign.
      const victims = [start(), start()];
      await org.exec(StartCampaignDocument, { input: { id: campaign.id } });

      let kills = 0;
      for (const threshold of [25, 60, 95]) {
        const victim = victims.shift()!;
        await waitFor(async () => (await attempts(campaign.dbId)) >= threshold && (await leasedBy(victim)) > 0, `${victim} to hold calls`, 60_000);
        victims.push(start());
        await kill(running.get(victim)!, victim, campaign.dbId);
        running.delete(victim);
        kills++;
      }
      expect(kills).toBe(3);
      await waitFor(() => completed(campaign.dbId), 'the campaign to complete', 60_000, 100);

      const open = await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: { in: ['PENDING', 'RETRY_SCHEDULED', 'IN_PROGRESS'] } } });
      expect(open).toBe(0);
      const audit = await auditLedger(t, ledgerPath, campaign.dbId);
      expect(audit.dials).toBeGreaterThan(150);
      await expectApiStatsExact(t, org, campaign.id);

      // SIGTERM is graceful: the survivors exit 0.
      const exits = [...running.values()].map((child) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))));
      for (const child of running.values()) child.kill('SIGTERM');
      expect(await Promise.all(exits)).toEqual(exits.map(() => 0));
    }, 120_000); // process start-ups, three takeovers and the callbacks people ask for: slow on two busy cores
  });
}
