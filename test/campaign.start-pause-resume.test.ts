import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { performAction } from '../src/services/campaign-lifecycle.ts';
import { CampaignDocument, PauseCampaignDocument, ResumeCampaignDocument, ScheduleCampaignDocument, StartCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, eventKinds, expectExactStats, makeCampaign, snapshot } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const setBalance = (o: TestOrg, balanceSeconds: number) => t.app.db.prisma.organization.update({ where: { id: o.orgId }, data: { balanceSeconds } });

async function running(owner = org) {
  const c = await makeCampaign(owner);
  await addCalls(t, c.dbId, [{}, {}, {}]);
  const started = await owner.exec(StartCampaignDocument, { input: { id: c.id } });
  if (started.startCampaign.__typename !== 'StartCampaignPayload') throw new Error(started.startCampaign.__typename);
  return c;
}

describe('startCampaign', () => {
  it('starts a DRAFT campaign with contacts: RUNNING, startedAt, version 2, one event', async () => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [{}, {}]);
    const result = await org.exec(StartCampaignDocument, { input: { id: c.id, expectedVersion: 1 } });
    expect(result.startCampaign).toMatchObject({ __typename: 'StartCampaignPayload', campaign: { status: 'RUNNING', version: 2 } });
    expect((await snapshot(t, c.dbId)).campaign.startedAt).not.toBeNull();
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_START']);
    await expectExactStats(t, c.dbId);
  });

  it('starts a SCHEDULED campaign right away', async () => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [{}]);
    await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: new Date(Date.now() + 3_600_000).toISOString() } });
    const result = await org.exec(StartCampaignDocument, { input: { id: c.id } });
    expect(result.startCampaign).toMatchObject({ campaign: { status: 'RUNNING', version: 3 } });
  });

  it.each([
    ['no calls at all', []],
    [
      'only skipped and finished calls',
      [
        { status: 'SKIPPED', outcome: 'INVALID_NUMBER' },
        { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 },
      ],
    ],
  ] as const)('refuses to start with %s (ValidationError) and changes nothing', async (_label, calls) => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [...calls]);
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(StartCampaignDocument, { input: { id: c.id } });
    expect(result.startCampaign).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['id'] }] });
    expect(await snapshot(t, c.dbId)).toEqual(before);
    expect((await org.exec(CampaignDocument, { id: c.id })).campaign).toMatchObject({ status: 'DRAFT', version: 1 });
  });

  it('refuses to start at zero balance (InsufficientBalance) and changes nothing', async () => {
    const poor = await t.makeOrg();
    await setBalance(poor, 0);
    const c = await makeCampaign(poor);
    await addCalls(t, c.dbId, [{}]);
    const before = await snapshot(t, c.dbId);
    const result = await poor.exec(StartCampaignDocument, { input: { id: c.id } });
    expect(result.startCampaign).toMatchObject({ __typename: 'InsufficientBalance', balanceSeconds: 0 });
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('refuses a second start (InvalidCampaignTransition), a stale version, and unknown ids', async () => {
    const c = await running();
    const before = await snapshot(t, c.dbId);
    const again = await org.exec(StartCampaignDocument, { input: { id: c.id } });
    expect(again.startCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'RUNNING', action: 'START' });
    const stale = await org.exec(PauseCampaignDocument, { input: { id: c.id, expectedVersion: 1 } });
    expect(stale.pauseCampaign).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2 });
    for (const id of ['nonsense', encodeId('Campaign', '5f0c3a52-8d4e-4c43-9d53-0d1f3c0b6a11'), encodeId('Agent', c.dbId)]) {
      const missing = await org.exec(PauseCampaignDocument, { input: { id } });
      // NotFound names the id the client sent, never the internal uuid.
      expect(missing.pauseCampaign).toMatchObject({ __typename: 'NotFound', typename: 'Campaign', id });
    }
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });
});

describe('pauseCampaign / resumeCampaign', () => {
  it('pauses (MANUAL) and resumes; repeating either is an InvalidCampaignTransition that changes nothing', async () => {
    const c = await running();
    const paused = await org.exec(PauseCampaignDocument, { input: { id: c.id, expectedVersion: 2 } });
    expect(paused.pauseCampaign).toMatchObject({ campaign: { status: 'PAUSED', pauseReason: 'MANUAL', version: 3 } });

    let before = await snapshot(t, c.dbId);
    const twice = await org.exec(PauseCampaignDocument, { input: { id: c.id } });
    expect(twice.pauseCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'PAUSED', action: 'PAUSE' });
    expect(await snapshot(t, c.dbId)).toEqual(before);

    const resumed = await org.exec(ResumeCampaignDocument, { input: { id: c.id, expectedVersion: 3 } });
    expect(resumed.resumeCampaign).toMatchObject({ campaign: { status: 'RUNNING', pauseReason: null, version: 4 } });

    before = await snapshot(t, c.dbId);
    const again = await org.exec(ResumeCampaignDocument, { input: { id: c.id } });
    expect(again.resumeCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'RUNNING', action: 'RESUME' });
    expect(await snapshot(t, c.dbId)).toEqual(before);
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_START', 'CAMPAIGN_PAUSE', 'CAMPAIGN_RESUME']);
  });

  it('refuses to resume while the balance is zero, and resumes after a top-up', async () => {
    const poor = await t.makeOrg();
    const c = await running(poor);
    await poor.exec(PauseCampaignDocument, { input: { id: c.id } });
    await setBalance(poor, 0);
    const before = await snapshot(t, c.dbId);
    const refused = await poor.exec(ResumeCampaignDocument, { input: { id: c.id } });
    expect(refused.resumeCampaign).toMatchObject({ __typename: 'InsufficientBalance', balanceSeconds: 0 });
    expect(await snapshot(t, c.dbId)).toEqual(before);

    await setBalance(poor, 60);
    const resumed = await poor.exec(ResumeCampaignDocument, { input: { id: c.id } });
    expect(resumed.resumeCampaign).toMatchObject({ campaign: { status: 'RUNNING', pauseReason: null, version: 4 } });
  });

  it('after an OUT_OF_MINUTES auto-pause, resume waits for minutes', async () => {
    const poor = await t.makeOrg();
    const c = await running(poor);
    await setBalance(poor, 0);
    // What the dialer does when the balance runs out.
    await performAction(t.app, { orgId: null, campaignId: c.dbId, action: 'PAUSE', pauseReason: 'OUT_OF_MINUTES' });
    expect((await poor.exec(CampaignDocument, { id: c.id })).campaign).toMatchObject({ status: 'PAUSED', pauseReason: 'OUT_OF_MINUTES' });
    const refused = await poor.exec(ResumeCampaignDocument, { input: { id: c.id } });
    expect(refused.resumeCampaign.__typename).toBe('InsufficientBalance');
    await setBalance(poor, 3600);
    const resumed = await poor.exec(ResumeCampaignDocument, { input: { id: c.id } });
    expect(resumed.resumeCampaign).toMatchObject({ campaign: { status: 'RUNNING', pauseReason: null } });
  });

  it('answers NotFound to another organisation and InvalidCampaignTransition to pausing a DRAFT', async () => {
    const c = await running();
    const other = await t.makeOrg();
    const before = await snapshot(t, c.dbId);
    expect((await other.exec(PauseCampaignDocument, { input: { id: c.id } })).pauseCampaign.__typename).toBe('NotFound');
    expect(await snapshot(t, c.dbId)).toEqual(before);
    const draft = await makeCampaign(org);
    const result = await org.exec(PauseCampaignDocument, { input: { id: draft.id } });
    expect(result.pauseCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'DRAFT', action: 'PAUSE' });
  });
});
