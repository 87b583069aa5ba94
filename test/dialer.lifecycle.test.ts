import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TelephonyProvider } from '../src/dialer/provider.ts';
import { createSimulator } from '../src/dialer/providers/simulator.ts';
import type { SimulatorOptions } from '../src/dialer/providers/simulator-options.ts';
import { startWorker, type RunningWorker } from '../src/dialer/worker.ts';
import { CallWaitDocument, PauseCampaignDocument, ResumeCampaignDocument, StartCampaignDocument, StopCampaignDocument } from './generated/operations.ts';
import { encodeId } from '../src/schema/common/ids.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectApiStatsExact, usNumbers } from './helpers/calls.ts';
import { expectExactStats } from './helpers/campaigns.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor, zoneAtNight, zoneInCallingHours } from './helpers/dialer.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'callboard-dialer-lifecycle-'));
let ledgers = 0;
let t: TestApp;
const workers: RunningWorker[] = [];
const providers: TelephonyProvider[] = [];

beforeAll(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(providers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A worker with its own simulator and ledger; returns both so the test can audit the ledger. */
async function worker(sim: SimulatorOptions = {}) {
  const ledgerPath = path.join(dir, `ledger-${++ledgers}.jsonl`);
  const provider = createSimulator({ speed: 2000, seed: ledgers, ledgerPath, ...sim });
  providers.push(provider); // the worker closes only a provider it created itself
  const w = await startWorker(t.app, {
    provider,
    pollIntervalMs: 50,
    recoveryIntervalMs: 200,
    batchWindowMs: 10,
  });
  workers.push(w);
  return { worker: w, ledgerPath };
}

const attemptCount = (campaignId: string) => t.app.db.prisma.callAttempt.count({ where: { campaignId, isTest: false } });
const inProgress = (campaignId: string) => t.app.db.prisma.call.count({ where: { campaignId, status: 'IN_PROGRESS' } });
const byStatus = async (campaignId: string) =>
  Object.fromEntries((await t.app.db.prisma.call.groupBy({ by: ['status'], where: { campaignId }, _count: true })).map((g) => [g.status, g._count]));

describe('pause, resume and stop while the dialer works', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await t.makeOrg();
  });

  it('pause: no new attempt once the pause committed, calls in progress finish; resume runs to COMPLETED', async () => {
    const { ledgerPath } = await worker();
    const campaign = await makeDialableCampaign(org, { contacts: 60, settings: { maxConcurrentCalls: 8 } });
    await waitFor(async () => (await attemptCount(campaign.dbId)) >= 20, 'some attempts');
    const paused = await org.exec(PauseCampaignDocument, { input: { id: campaign.id } });
    expect(paused.pauseCampaign).toMatchObject({ campaign: { status: 'PAUSED', pauseReason: 'MANUAL' } });
    // Every claim committed before the pause is counted here; none can commit after it.
    const attemptsAtPause = await attemptCount(campaign.dbId);
    await waitFor(async () => (await inProgress(campaign.dbId)) === 0, 'in-progress calls to finish while paused');
    expect(await attemptCount(campaign.dbId)).toBe(attemptsAtPause);
    const waiting = await byStatus(campaign.dbId);
    expect((waiting.PENDING ?? 0) + (waiting.RETRY_SCHEDULED ?? 0)).toBeGreaterThan(0);
    expect(await campaignStatus(t, campaign.dbId)).toEqual({ status: 'PAUSED', pauseReason: 'MANUAL' });
    await expectExactStats(t, campaign.dbId);

    const resumed = await org.exec(ResumeCampaignDocument, { input: { id: campaign.id } });
    expect(resumed.resumeCampaign).toMatchObject({ campaign: { status: 'RUNNING' } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'completion after resume', 60_000);
    await expectApiStatsExact(t, org, campaign.id);
    await auditLedger(t, ledgerPath, campaign.dbId);
  });

  it('stop: calls not dialed yet become CANCELED / NOT_DIALED, in-flight calls finish, the campaign is CANCELED', async () => {
    const { ledgerPath } = await worker();
    const campaign = await makeDialableCampaign(org, { contacts: 60, settings: { maxConcurrentCalls: 8 } });
    await waitFor(async () => (await attemptCount(campaign.dbId)) >= 20, 'some attempts');
    const stopped = await org.exec(StopCampaignDocument, { input: { id: campaign.id } });
    expect(stopped.stopCampaign).toMatchObject({ campaign: { status: 'CANCELED' } });
    const attemptsAtStop = await attemptCount(campaign.dbId);
    await waitFor(async () => (await inProgress(campaign.dbId)) === 0, 'in-flight calls to finish');
    expect(await attemptCount(campaign.dbId)).toBe(attemptsAtStop);
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId } });
    expect(calls.every((c) => ['COMPLETED', 'FAILED', 'CANCELED'].includes(c.status))).toBe(true);
    const notDialed = calls.filter((c) => c.attemptCount === 0);
    expect(notDialed.length).toBeGreaterThan(0);
    expect(notDialed.every((c) => c.status === 'CANCELED' && c.outcome === 'NOT_DIALED')).toBe(true);
    expect(await campaignStatus(t, campaign.dbId)).toMatchObject({ status: 'CANCELED' });
    await expectApiStatsExact(t, org, campaign.id);
    await auditLedger(t, ledgerPath, campaign.dbId);
  });
});

describe('minutes balance', () => {
  it('at zero every running campaign of the organisation pauses OUT_OF_MINUTES, resume is refused, other organisations go on', async () => {
    const org = await t.makeOrg();
    const other = await t.makeOrg();
    await t.app.db.prisma.organization.update({ where: { id: org.orgId }, data: { balanceSeconds: 600 } });
    const a = await makeDialableCampaign(org, { contacts: 40, settings: { maxConcurrentCalls: 3 } });
    const b = await makeDialableCampaign(org, { contacts: 40, settings: { maxConcurrentCalls: 3 } });
    const c = await makeDialableCampaign(other, { contacts: 10, settings: { maxConcurrentCalls: 3 } });
    await worker({ mix: { ANSWERED: 1 } }); // every call talks 30–240 s: 600 s last a few calls

    for (const campaign of [a, b]) {
      await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'PAUSED', 'the out-of-minutes pause');
      expect(await campaignStatus(t, campaign.dbId)).toEqual({ status: 'PAUSED', pauseReason: 'OUT_OF_MINUTES' });
    }
    await waitFor(async () => (await inProgress(a.dbId)) + (await inProgress(b.dbId)) === 0, 'in-flight calls to finish');
    const org1 = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    expect(org1.balanceSeconds).toBeLessThanOrEqual(0);
    const refused = await org.exec(ResumeCampaignDocument, { input: { id: a.id } });
    expect(refused.resumeCampaign).toMatchObject({ __typename: 'InsufficientBalance' });
    // Billing is the connected time of the calls, exactly.
    const talked = await t.app.db.prisma.call.aggregate({ where: { campaign: { organizationId: org.orgId } }, _sum: { durationSeconds: true } });
    expect(600 - org1.balanceSeconds).toBe(talked._sum.durationSeconds);

    await waitFor(async () => (await campaignStatus(t, c.dbId)).status === 'COMPLETED', 'the other organisation’s campaign');
    await t.app.db.prisma.organization.update({ where: { id: org.orgId }, data: { balanceSeconds: 360_000 } });
    const resumed = await org.exec(ResumeCampaignDocument, { input: { id: a.id } });
    expect(resumed.resumeCampaign).toMatchObject({ campaign: { status: 'RUNNING', pauseReason: null } });
    await org.exec(StopCampaignDocument, { input: { id: a.id } });
    await org.exec(StopCampaignDocument, { input: { id: b.id } });
    for (const campaign of [a, b, c]) await expectExactStats(t, campaign.dbId);
  });
});

describe('plan limit of unique contacts', () => {
  it('dials up to the limit across campaigns; contacts beyond it FAIL with PLAN_LIMIT_EXCEEDED, undialed', async () => {
    const org = await t.makeOrg();
    await t.app.db.prisma.organization.update({ where: { id: org.orgId }, data: { contactLimit: 6 } });
    await worker({ mix: { ANSWERED: 1 } });
    const numbers = usNumbers(10, 7000);
    const first = await makeDialableCampaign(org, { contacts: 4, numbers: numbers.slice(0, 4) });
    await waitFor(async () => (await campaignStatus(t, first.dbId)).status === 'COMPLETED', 'the first campaign');
    // 4 numbers used; the second campaign repeats them (free) and adds 6 new ones (2 fit).
    const second = await makeDialableCampaign(org, { contacts: 10, numbers, settings: { maxConcurrentCalls: 1 } });
    await waitFor(async () => (await campaignStatus(t, second.dbId)).status === 'COMPLETED', 'the second campaign');
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: second.dbId }, orderBy: { position: 'asc' } });
    const limited = calls.filter((c) => c.outcome === 'PLAN_LIMIT_EXCEEDED');
    expect(limited.map((c) => c.phoneNumber)).toEqual(numbers.slice(6));
    expect(limited.every((c) => c.status === 'FAILED' && c.attemptCount === 0 && c.waitReason?.includes('6 unique contacts'))).toBe(true);
    expect(calls.filter((c) => c.status === 'COMPLETED').map((c) => c.phoneNumber)).toEqual(numbers.slice(0, 6));
    const orgRow = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    expect(orgRow.contactsUsed).toBe(6);
    await expectExactStats(t, second.dbId);
  });
});

describe('calling window', () => {
  it('defers calls outside the recipient’s window with a reason and next time; contacts in their own open zone are dialed', async () => {
    const org = await t.makeOrg();
    await worker();
    const night = zoneAtNight();
    const campaign = await makeDialableCampaign(org, { contacts: 6, settings: { timezone: night }, start: false });
    // Every contact lives in the night zone (makeDialableCampaign gives them the campaign's), but
    // two live where it is daytime now: each is judged in its own zone.
    const day = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, orderBy: { position: 'asc' }, take: 2 });
    await t.app.db.prisma.call.updateMany({ where: { id: { in: day.map((c) => c.id) } }, data: { timezone: zoneInCallingHours() } });
    await org.exec(StartCampaignDocument, { input: { id: campaign.id } });

    await waitFor(async () => {
      const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId } });
      const deferred = calls.filter((c) => c.timezone === night);
      const dialed = calls.filter((c) => c.timezone !== night);
      return deferred.every((c) => c.status === 'PENDING' && c.nextAttemptAt && c.waitReason) && dialed.every((c) => c.attemptCount > 0);
    }, 'deferral of the night-time contacts and dialing of the daytime ones');
    const deferred = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId, timezone: night } });
    for (const call of deferred) {
      expect(call.attemptCount).toBe(0);
      expect(call.waitReason).toMatch(/outside calling hours in Etc\/GMT|outside the legal calling hours/);
      // The window opens at 08:00 local (the compliance clamp of the 00:00–23:59 window), in the future.
      expect(call.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
      const local = new Intl.DateTimeFormat('en-US', { timeZone: night, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).format(call.nextAttemptAt!);
      expect(local).toBe('08:00');
    }
    // What the API shows for a waiting call.
    const served = (await org.exec(CallWaitDocument, { id: encodeId('Call', deferred[0]!.id) })).node;
    expect(served).toEqual({
      __typename: 'Call',
      status: 'PENDING',
      attemptCount: 0,
      nextAttemptAt: deferred[0]!.nextAttemptAt!.toISOString(),
      waitReason: deferred[0]!.waitReason,
    });
    expect(await campaignStatus(t, campaign.dbId)).toMatchObject({ status: 'RUNNING' });
    await org.exec(StopCampaignDocument, { input: { id: campaign.id } });
    await waitFor(async () => (await inProgress(campaign.dbId)) === 0, 'in-flight calls to finish');
    await expectExactStats(t, campaign.dbId);
  });
});
