import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeByDialer } from './helpers/dialer.ts';
import { PauseCampaignDocument, RetryFailedCallsDocument, StartCampaignDocument, StopCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, eventKinds, expectExactStats, makeCampaign, snapshot, type CallSpec } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

// FAILED means a technical failure (DESIGN.md); retryFailedCalls re-queues exactly those.
const FAILED: CallSpec[] = [
  { status: 'FAILED', outcome: 'ISSUE_DIALING', attemptCount: 3 },
  { status: 'FAILED', outcome: 'TECHNICAL_ERROR', attemptCount: 1 },
];
const DONE: CallSpec[] = [
  { status: 'COMPLETED', outcome: 'MEETING_BOOKED', attemptCount: 2, connected: true, durationSeconds: 95 },
  // Nobody answered, attempts spent: processed, not failed — a retry must not redial it.
  { status: 'COMPLETED', outcome: 'NO_ANSWER', attemptCount: 3 },
  { status: 'SKIPPED', outcome: 'DUPLICATE' },
];

/** A RUNNING campaign whose calls are then set to `specs` (one pending call lets it start). */
async function runningWith(specs: CallSpec[], owner = org) {
  const c = await makeCampaign(owner);
  await addCalls(t, c.dbId, [{}]);
  await owner.exec(StartCampaignDocument, { input: { id: c.id } });
  await t.app.db.prisma.call.deleteMany({ where: { campaignId: c.dbId } });
  const calls = await addCalls(t, c.dbId, specs);
  await t.app.db.prisma.call.updateMany({ where: { campaignId: c.dbId, status: { in: ['FAILED', 'COMPLETED'] } }, data: { processedAt: new Date() } });
  return { ...c, calls };
}

/** Same, finished by the system (auto-complete): every call is in a final state. */
async function completedWith(specs: CallSpec[], owner = org) {
  const c = await runningWith(specs, owner);
  await completeByDialer(t, c.dbId);
  return c;
}

describe('retryFailedCalls', () => {
  it('puts FAILED calls back to PENDING with a fresh attempt budget (attempt_base = attempt_count), others untouched', async () => {
    const c = await runningWith([...FAILED, ...DONE, { status: 'PENDING' }]);
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(RetryFailedCallsDocument, { input: { id: c.id, expectedVersion: 2 } });
    expect(result.retryFailedCalls).toMatchObject({ __typename: 'RetryFailedCallsPayload', campaign: { status: 'RUNNING', version: 3 } });

    const after = await snapshot(t, c.dbId);
    const was = new Map(before.calls.map((call) => [call.id, call]));
    for (const call of after.calls) {
      const old = was.get(call.id)!;
      if (old.status === 'FAILED') {
        expect(call).toMatchObject({
          status: 'PENDING',
          outcome: null,
          attemptCount: old.attemptCount,
          attemptBase: old.attemptCount,
          processedAt: null,
          nextAttemptAt: null,
        });
      } else {
        expect(call).toEqual(old);
      }
    }
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_START', 'CAMPAIGN_RETRY_FAILED']);
    await expectExactStats(t, c.dbId);
  });

  it('reopens a COMPLETED campaign: RUNNING again, completedAt cleared', async () => {
    const c = await completedWith([...FAILED, ...DONE]);
    expect((await snapshot(t, c.dbId)).campaign).toMatchObject({ status: 'COMPLETED', version: 3 });
    const result = await org.exec(RetryFailedCallsDocument, { input: { id: c.id } });
    expect(result.retryFailedCalls).toMatchObject({ campaign: { status: 'RUNNING', version: 4, completedAt: null } });
    const after = await snapshot(t, c.dbId);
    expect(
      after.calls
        .filter((call) => call.status === 'PENDING')
        .map((call) => call.attemptBase)
        .sort(),
    ).toEqual([1, 3]);
    await expectExactStats(t, c.dbId);
  });

  it('keeps a PAUSED campaign paused (its retried calls wait for resume)', async () => {
    const c = await runningWith(FAILED);
    await org.exec(PauseCampaignDocument, { input: { id: c.id } });
    const result = await org.exec(RetryFailedCallsDocument, { input: { id: c.id } });
    expect(result.retryFailedCalls).toMatchObject({ campaign: { status: 'PAUSED', pauseReason: 'MANUAL', version: 4 } });
    expect((await snapshot(t, c.dbId)).calls.every((call) => call.status === 'PENDING')).toBe(true);
  });

  it.each([
    ['RUNNING', false],
    ['COMPLETED', true],
  ] as const)('refuses a %s campaign with nothing failed (ValidationError) and changes nothing', async (_status, complete) => {
    const c = complete ? await completedWith(DONE) : await runningWith([...DONE, {}]);
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(RetryFailedCallsDocument, { input: { id: c.id } });
    expect(result.retryFailedCalls).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['id'] }] });
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('refuses to reopen a COMPLETED campaign at zero balance (InsufficientBalance) and changes nothing', async () => {
    const poor = await t.makeOrg();
    const c = await completedWith(FAILED, poor);
    await t.app.db.prisma.organization.update({ where: { id: poor.orgId }, data: { balanceSeconds: 0 } });
    const before = await snapshot(t, c.dbId);
    const result = await poor.exec(RetryFailedCallsDocument, { input: { id: c.id } });
    expect(result.retryFailedCalls).toMatchObject({ __typename: 'InsufficientBalance', balanceSeconds: 0 });
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('refuses DRAFT and CANCELED campaigns (InvalidCampaignTransition) and changes nothing', async () => {
    const draft = await makeCampaign(org);
    await addCalls(t, draft.dbId, FAILED);
    const canceled = await runningWith(FAILED);
    await org.exec(StopCampaignDocument, { input: { id: canceled.id } });
    for (const [c, status] of [
      [draft, 'DRAFT'],
      [canceled, 'CANCELED'],
    ] as const) {
      const before = await snapshot(t, c.dbId);
      const result = await org.exec(RetryFailedCallsDocument, { input: { id: c.id } });
      expect(result.retryFailedCalls).toMatchObject({ __typename: 'InvalidCampaignTransition', status, action: 'RETRY_FAILED' });
      expect(await snapshot(t, c.dbId)).toEqual(before);
    }
  });
});
