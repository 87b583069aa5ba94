import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDueCampaigns } from '../src/dialer/scheduler.ts';
import {
  CampaignOutcomesDocument,
  CreateCampaignDocument,
  RetryFailedCallsDocument,
  ScheduleCampaignDocument,
  StartCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk } from './helpers/calls.ts';
import { dbIdOf, expectExactStats, makeCampaign } from './helpers/campaigns.ts';
import { campaignStatus, IMMEDIATE_RETRIES, makeDialableCampaign, makeWorkerPool, waitFor } from './helpers/dialer.ts';

let t: TestApp;
let org: TestOrg;
const pool = makeWorkerPool(() => t);

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterEach(() => pool.stopAll());
afterAll(() => t?.close());

describe('what COMPLETED and FAILED mean', () => {
  it('people who never answered end COMPLETED (NO_ANSWER, BUSY); only technical failures are FAILED — and only those are retried', async () => {
    await pool.start();
    // Magic numbers of the simulator: …9908 NO_ANSWER, …9909 BUSY, …9910 ISSUE_DIALING, …9901 ANSWERED.
    const numbers = ['+12025559908', '+12025559909', '+12025559910', '+12025559901'];
    const campaign = await makeDialableCampaign(org, { contacts: 4, numbers, settings: { maxAttempts: 2, retryPolicy: IMMEDIATE_RETRIES } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete');
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, orderBy: { position: 'asc' } });
    expect(calls.map((c) => [c.phoneNumber, c.status, c.outcome, c.attemptCount])).toEqual([
      ['+12025559908', 'COMPLETED', 'NO_ANSWER', 2],
      ['+12025559909', 'COMPLETED', 'BUSY', 2],
      ['+12025559910', 'FAILED', 'ISSUE_DIALING', 2],
      ['+12025559901', 'COMPLETED', 'ANSWERED', 1],
    ]);
    const served = (await org.exec(CampaignOutcomesDocument, { id: campaign.id })).campaign!;
    expect(served.stats).toMatchObject({ completed: 3, failed: 1 });

    // "Retry failed" redials the technical failure only, never the people who did not answer.
    const retried = await org.exec(RetryFailedCallsDocument, { input: { id: campaign.id } });
    expect(retried.retryFailedCalls).toMatchObject({ __typename: 'RetryFailedCallsPayload' });
    const after = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, orderBy: { position: 'asc' } });
    expect(after.map((c) => c.status)).toEqual(['COMPLETED', 'COMPLETED', expect.stringMatching(/PENDING|IN_PROGRESS|RETRY_SCHEDULED|FAILED/), 'COMPLETED']);
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the retry to finish');
    await expectExactStats(t, campaign.dbId);
  });

  it('a provider reporting TECHNICAL_ERROR again and again pauses the campaign (SYSTEM_FAILURE) instead of failing every call', async () => {
    // A provider account that is broken: every call comes back TECHNICAL_ERROR.
    await pool.start({ mix: { TECHNICAL_ERROR: 1 } }, { maxDialFailures: 3 });
    const contacts = 12;
    const campaign = await makeDialableCampaign(org, { contacts, settings: { maxConcurrentCalls: 1, maxAttempts: 1 } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).pauseReason === 'SYSTEM_FAILURE', 'the SYSTEM_FAILURE pause');
    const failed = await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: 'FAILED' } });
    expect(failed).toBeLessThan(contacts);
  });
});

describe('small holes', () => {
  it('a campaign without an agent cannot start (ValidationError), and changes nothing', async () => {
    const created = await org.exec(CreateCampaignDocument, { input: { name: 'no agent' } });
    if (created.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error('not created');
    const id = created.createCampaign.campaign.id;
    await addContactsOk(org, { campaignId: id, contacts: [{ phoneNumber: '+14155550100' }] });
    const started = await org.exec(StartCampaignDocument, { input: { id } });
    expect(started.startCampaign).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['agentId'] }] });
    expect(await campaignStatus(t, dbIdOf(id))).toEqual({ status: 'DRAFT', pauseReason: null });
  });

  it('premium-rate and shared-cost numbers are SKIPPED with a reason', async () => {
    const c = await makeCampaign(org, 'premium');
    const report = await addContactsOk(org, {
      campaignId: c.id,
      contacts: [{ phoneNumber: '+19005550123' }, { phoneNumber: '+33810123456' }, { phoneNumber: '+14155550123' }],
    });
    expect(report).toMatchObject({ added: 1, skipped: 2 });
    expect(report.rejected.map((r) => r.reason)).toEqual([expect.stringContaining('premium-rate'), expect.stringContaining('shared-cost')]);
  });

  it('a SCHEDULED campaign that cannot start says why (scheduleProblem), until it can', async () => {
    const c = await makeCampaign(org, 'empty schedule');
    const startAt = new Date(Date.now() + 60_000);
    await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: startAt.toISOString() } });
    await startDueCampaigns(t.app, new Date(startAt.getTime() + 1000));
    const served = (await org.exec(CampaignOutcomesDocument, { id: c.id })).campaign!;
    expect(served).toMatchObject({ status: 'SCHEDULED', scheduleProblem: expect.stringContaining('no contacts') });
    await addContactsOk(org, { campaignId: c.id, contacts: [{ phoneNumber: '+14155550177' }] });
    await startDueCampaigns(t.app, new Date(startAt.getTime() + 2000));
    expect((await org.exec(CampaignOutcomesDocument, { id: c.id })).campaign).toMatchObject({ status: 'RUNNING', scheduleProblem: null });
  });
});
