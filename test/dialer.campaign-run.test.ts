import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/dialer/worker.ts';
import { readLedger } from '../src/dialer/providers/simulator-ledger.ts';
import { decodeId } from '../src/schema/common/ids.ts';
import { CampaignDocument, CampaignStatsDocument, PlaceTestCallDocument, TestCallAttemptDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectApiStatsExact } from './helpers/calls.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'callboard-dialer-run-'));
const ledgerPath = path.join(dir, 'ledger.jsonl');
let t: TestApp;
let org: TestOrg;
let worker: RunningWorker;

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_SIMULATOR_SPEED: '20000', CALLBOARD_SIMULATOR_LEDGER: ledgerPath, CALLBOARD_SIMULATOR_SEED: '7' });
  org = await t.makeOrg();
  worker = await startWorker(t.app, { pollIntervalMs: 50 });
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a campaign on the simulator', () => {
  it('runs 500 contacts to COMPLETED: every call final, stats equal the rows, one dial per attempt row', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 500, settings: { maxConcurrentCalls: 50 } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000);
    const open = await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: { in: ['PENDING', 'RETRY_SCHEDULED', 'IN_PROGRESS'] } } });
    expect(open).toBe(0);
    const stats = await expectApiStatsExact(t, org, campaign.id);
    expect(stats.total).toBe(500);
    expect(stats.completed + stats.failed).toBe(500);
    const audit = await auditLedger(t, ledgerPath, campaign.dbId);
    expect(audit.dials).toBe(stats.attempts);
    expect((await org.exec(CampaignDocument, { id: campaign.id })).campaign?.status).toBe('COMPLETED');
  });

  it('placeTestCall dials once with the campaign’s agent, outside the campaign’s calls and stats, and bills the minutes', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 2, start: false });
    const before = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    // …9901 is the simulator's "answered" number (MAGIC_SUFFIXES).
    // The tester's own number: placed whatever the time of day in its zone (ignoreCallingWindow).
    const placed = await org.exec(PlaceTestCallDocument, { input: { campaignId: campaign.id, phoneNumber: '+1 202-555-9901', ignoreCallingWindow: true } });
    if (placed.placeTestCall.__typename !== 'PlaceTestCallPayload') throw new Error(JSON.stringify(placed.placeTestCall));
    expect(placed.placeTestCall.attempt).toMatchObject({ isTest: true, number: 1, toNumber: '+12025559901', telephonyStatus: 'QUEUED', outcome: null });
    const id = placed.placeTestCall.attempt.id;
    const done = await waitFor(async () => {
      const node = (await org.exec(TestCallAttemptDocument, { id })).node;
      return node?.__typename === 'CallAttempt' && node.endedAt ? node : null;
    }, 'the test call to end');
    expect(done).toMatchObject({ isTest: true, outcome: 'ANSWERED', answeredBy: 'HUMAN', telephonyStatus: 'COMPLETED' });
    expect(done.transcript).toContain('Ava:');
    expect(done.durationSeconds).toBeGreaterThan(0);
    const after = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    expect(before.balanceSeconds - after.balanceSeconds).toBe(done.durationSeconds);
    // Not a call of the campaign: no stats moved, no call dialed.
    const stats = (await org.exec(CampaignStatsDocument, { id: campaign.id })).campaign!.stats;
    expect(stats).toMatchObject({ total: 2, pending: 2, attempts: 0 });
    const dials = (await readLedger(ledgerPath)).filter((e) => e.attemptId === decodeId(id, 'CallAttempt'));
    expect(dials).toEqual([expect.objectContaining({ callId: null, to: '+12025559901' })]);
  });

  it('placeTestCall fills the script with the given name and variables, not the literal template', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 1, start: false });
    const placed = await org.exec(PlaceTestCallDocument, {
      input: { campaignId: campaign.id, phoneNumber: '+1 202-555-9901', ignoreCallingWindow: true, name: 'Sam', variables: { plan: 'gold' } },
    });
    if (placed.placeTestCall.__typename !== 'PlaceTestCallPayload') throw new Error(JSON.stringify(placed.placeTestCall));
    const attemptId = decodeId(placed.placeTestCall.attempt.id, 'CallAttempt');
    const dial = await waitFor(async () => (await readLedger(ledgerPath)).find((e) => e.attemptId === attemptId), 'the test call to be dialed');
    expect(dial.opener).toContain('Hi Sam');
    expect(dial.opener).not.toContain('{{');
    const notAnObject = await org.exec(PlaceTestCallDocument, { input: { campaignId: campaign.id, phoneNumber: '+12025559901', variables: 'plain' } });
    expect(notAnObject.placeTestCall).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['variables'] }] });
  });

  it('placeTestCall refuses a bad number, another organisation’s campaign and a zero balance, with typed errors', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 1, start: false });
    const bad = await org.exec(PlaceTestCallDocument, { input: { campaignId: campaign.id, phoneNumber: '12' } });
    expect(bad.placeTestCall).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['phoneNumber'] }] });
    const stranger = await t.makeOrg();
    const hidden = await stranger.exec(PlaceTestCallDocument, { input: { campaignId: campaign.id, phoneNumber: '+12025559901' } });
    expect(hidden.placeTestCall.__typename).toBe('NotFound');
    await t.app.db.prisma.organization.update({ where: { id: org.orgId }, data: { balanceSeconds: 0 } });
    const broke = await org.exec(PlaceTestCallDocument, { input: { campaignId: campaign.id, phoneNumber: '+12025559901', ignoreCallingWindow: true } });
    expect(broke.placeTestCall).toMatchObject({ __typename: 'InsufficientBalance', balanceSeconds: 0 });
    await t.app.db.prisma.organization.update({ where: { id: org.orgId }, data: { balanceSeconds: 360_000 } });
    expect(await t.app.db.prisma.callAttempt.count({ where: { campaignId: campaign.dbId } })).toBe(0);
  });
});
