import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PauseCampaignDocument,
  ResumeCampaignDocument,
  RetryFailedCallsDocument,
  ScheduleCampaignDocument,
  StartCampaignDocument,
  StopCampaignDocument,
  UpdateCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, eventKinds, expectExactStats, makeCampaign, snapshot, type CallSpec } from './helpers/campaigns.ts';
import { completeByDialer } from './helpers/dialer.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

/** One call in every state a stop has to treat differently. */
const MIXED: CallSpec[] = [
  { status: 'PENDING' },
  { status: 'PENDING' },
  { status: 'RETRY_SCHEDULED', outcome: 'BUSY', attemptCount: 1 },
  { status: 'IN_PROGRESS', attemptCount: 2 },
  { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1, connected: true, durationSeconds: 42 },
  { status: 'COMPLETED', outcome: 'NO_ANSWER', attemptCount: 3 },
  { status: 'SKIPPED', outcome: 'INVALID_NUMBER' },
];

describe('stopCampaign', () => {
  it('cancels pending calls and waiting retries as NOT_DIALED with no wait reason left, lets in-progress calls finish', async () => {
    const c = await makeCampaign(org);
    const added = await addCalls(t, c.dbId, MIXED);
    // The retry waits with a reason, as the dialer leaves it; the stop must not leave it stale.
    await t.app.db.prisma.call.update({ where: { id: added[2]!.id }, data: { waitReason: 'retry after busy (1 of 3 attempts used)' } });
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: c.dbId }, orderBy: { position: 'asc' } });
    await org.exec(StartCampaignDocument, { input: { id: c.id } });

    const result = await org.exec(StopCampaignDocument, { input: { id: c.id, expectedVersion: 2 } });
    expect(result.stopCampaign).toMatchObject({ __typename: 'StopCampaignPayload', campaign: { status: 'CANCELED', version: 3, pauseReason: null } });
    const after = await snapshot(t, c.dbId);
    expect(after.campaign.canceledAt).not.toBeNull();

    const byId = new Map(after.calls.map((call) => [call.id, call]));
    const now = calls.map((call) => byId.get(call.id)!);
    expect(now.map((call) => [call.status, call.outcome, call.attemptCount])).toEqual([
      ['CANCELED', 'NOT_DIALED', 0],
      ['CANCELED', 'NOT_DIALED', 0],
      ['CANCELED', 'NOT_DIALED', 1],
      ['IN_PROGRESS', null, 2],
      ['COMPLETED', 'ANSWERED', 1],
      ['COMPLETED', 'NO_ANSWER', 3],
      ['SKIPPED', 'INVALID_NUMBER', 0],
    ]);
    for (const call of now.slice(0, 3)) {
      expect(call.processedAt).not.toBeNull();
      expect(call.nextAttemptAt).toBeNull();
      expect(call.waitReason).toBeNull();
    }
    // Untouched calls are exactly as they were.
    expect(now.slice(3)).toEqual(calls.slice(3));
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_START', 'CAMPAIGN_STOP']);
    await expectExactStats(t, c.dbId);
  });

  it('a stopped campaign cannot be resumed, restarted, paused, retried, rescheduled, edited or stopped again', async () => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, MIXED);
    await org.exec(StartCampaignDocument, { input: { id: c.id } });
    await org.exec(PauseCampaignDocument, { input: { id: c.id } });
    await org.exec(StopCampaignDocument, { input: { id: c.id } });
    const before = await snapshot(t, c.dbId);
    expect(before.campaign.status).toBe('CANCELED');

    const input = { id: c.id };
    const refusals = [
      ['RESUME', (await org.exec(ResumeCampaignDocument, { input })).resumeCampaign],
      ['START', (await org.exec(StartCampaignDocument, { input })).startCampaign],
      ['PAUSE', (await org.exec(PauseCampaignDocument, { input })).pauseCampaign],
      ['RETRY_FAILED', (await org.exec(RetryFailedCallsDocument, { input })).retryFailedCalls],
      ['STOP', (await org.exec(StopCampaignDocument, { input })).stopCampaign],
      [
        'SCHEDULE',
        (await org.exec(ScheduleCampaignDocument, { input: { ...input, startAt: new Date(Date.now() + 3_600_000).toISOString() } })).scheduleCampaign,
      ],
      ['EDIT', (await org.exec(UpdateCampaignDocument, { input: { ...input, name: 'revived' } })).updateCampaign],
    ] as const;
    for (const [action, result] of refusals) {
      expect(result).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'CANCELED', action });
    }
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it.each(['DRAFT', 'SCHEDULED', 'PAUSED'] as const)('stops a %s campaign, cancelling its not-yet-dialed calls', async (status) => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [{}, { status: 'RETRY_SCHEDULED', outcome: 'NO_ANSWER', attemptCount: 1 }]);
    if (status === 'SCHEDULED') {
      await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: new Date(Date.now() + 3_600_000).toISOString() } });
    }
    if (status === 'PAUSED') {
      await org.exec(StartCampaignDocument, { input: { id: c.id } });
      await org.exec(PauseCampaignDocument, { input: { id: c.id } });
    }
    const result = await org.exec(StopCampaignDocument, { input: { id: c.id } });
    expect(result.stopCampaign).toMatchObject({ campaign: { status: 'CANCELED', pauseReason: null } });
    const calls = (await snapshot(t, c.dbId)).calls.map((call) => [call.status, call.outcome]).sort();
    expect(calls).toEqual([
      ['CANCELED', 'NOT_DIALED'],
      ['CANCELED', 'NOT_DIALED'],
    ]);
    await expectExactStats(t, c.dbId);
  });

  it('refuses to stop a COMPLETED campaign and changes nothing', async () => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [{}]);
    await org.exec(StartCampaignDocument, { input: { id: c.id } });
    await t.app.db.prisma.call.updateMany({ where: { campaignId: c.dbId }, data: { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 } });
    await completeByDialer(t, c.dbId);
    const before = await snapshot(t, c.dbId);
    expect(before.campaign.status).toBe('COMPLETED');
    const result = await org.exec(StopCampaignDocument, { input: { id: c.id } });
    expect(result.stopCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'COMPLETED', action: 'STOP' });
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });
});
