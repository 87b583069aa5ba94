import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotDueError, performAction } from '../src/services/campaign-lifecycle.ts';
import { startDueCampaigns } from '../src/dialer/scheduler.ts';
import { CampaignDocument, ScheduleCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, eventKinds, makeCampaign, snapshot } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR);

/** A DRAFT campaign with `calls` pending contacts, scheduled through the API for `startAt`. */
async function scheduled(startAt: Date, calls = 2, owner = org) {
  const c = await makeCampaign(owner);
  if (calls)
    await addCalls(
      t,
      c.dbId,
      Array.from({ length: calls }, () => ({})),
    );
  const result = await owner.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: startAt.toISOString() } });
  if (result.scheduleCampaign.__typename !== 'ScheduleCampaignPayload') throw new Error(result.scheduleCampaign.__typename);
  return { ...c, campaign: result.scheduleCampaign.campaign };
}

describe('scheduleCampaign', () => {
  it('moves DRAFT to SCHEDULED at a future startAt, and can reschedule', async () => {
    const startAt = inHours(2);
    const c = await scheduled(startAt);
    expect(c.campaign).toMatchObject({ status: 'SCHEDULED', version: 2, scheduledAt: startAt.toISOString(), startedAt: null });
    const later = inHours(3);
    const again = await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: later.toISOString(), expectedVersion: 2 } });
    expect(again.scheduleCampaign).toMatchObject({ campaign: { status: 'SCHEDULED', version: 3, scheduledAt: later.toISOString() } });
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_SCHEDULE', 'CAMPAIGN_SCHEDULE']);
  });

  it.each([
    ['in the past', -1],
    ['right now', 0],
  ])('refuses a startAt %s with ValidationError on startAt and changes nothing', async (_label, hours) => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [{}]);
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: new Date(Date.now() + hours * HOUR).toISOString() } });
    expect(result.scheduleCampaign).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['startAt'], message: 'startAt must be in the future' }],
    });
    expect(await snapshot(t, c.dbId)).toEqual(before);
    expect((await org.exec(CampaignDocument, { id: c.id })).campaign).toMatchObject({ status: 'DRAFT', version: 1, scheduledAt: null });
  });

  it('refuses to schedule a RUNNING campaign (InvalidCampaignTransition) and changes nothing', async () => {
    const c = await scheduled(inHours(1));
    await startDueCampaigns(t.app, inHours(1.5));
    const before = await snapshot(t, c.dbId);
    expect(before.campaign.status).toBe('RUNNING');
    const result = await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: inHours(5).toISOString() } });
    expect(result.scheduleCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'RUNNING', action: 'SCHEDULE' });
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });
});

describe('startDueCampaigns (scheduler)', () => {
  it('starts a SCHEDULED campaign once its startAt has come, not before', async () => {
    const startAt = inHours(4);
    const c = await scheduled(startAt);
    expect(await startDueCampaigns(t.app, new Date(startAt.getTime() - 1))).not.toContain(c.dbId);
    expect((await org.exec(CampaignDocument, { id: c.id })).campaign).toMatchObject({ status: 'SCHEDULED', version: 2 });

    expect(await startDueCampaigns(t.app, startAt)).toContain(c.dbId);
    const after = (await org.exec(CampaignDocument, { id: c.id })).campaign!;
    expect(after).toMatchObject({ status: 'RUNNING', version: 3, pauseReason: null });
    expect(after.startedAt).not.toBeNull();
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_SCHEDULE', 'CAMPAIGN_START']);
    // A later tick leaves it alone.
    expect(await startDueCampaigns(t.app, inHours(5))).not.toContain(c.dbId);
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_SCHEDULE', 'CAMPAIGN_START']);
  });

  it('keeps a campaign that cannot start SCHEDULED (no contacts, no balance) and starts it once it can', async () => {
    const poor = await t.makeOrg();
    const empty = await scheduled(inHours(1), 0);
    const broke = await scheduled(inHours(1), 1, poor);
    await t.app.db.prisma.organization.update({ where: { id: poor.orgId }, data: { balanceSeconds: 0 } });
    const tick = inHours(2);

    const started = await startDueCampaigns(t.app, tick);
    expect(started).not.toContain(empty.dbId);
    expect(started).not.toContain(broke.dbId);
    for (const c of [empty, broke]) expect((await snapshot(t, c.dbId)).campaign).toMatchObject({ status: 'SCHEDULED', version: 2 });

    await addCalls(t, empty.dbId, [{}]);
    await t.app.db.prisma.organization.update({ where: { id: poor.orgId }, data: { balanceSeconds: 600 } });
    const next = await startDueCampaigns(t.app, tick);
    expect(next).toEqual(expect.arrayContaining([empty.dbId, broke.dbId]));
    for (const c of [empty, broke]) expect((await snapshot(t, c.dbId)).campaign).toMatchObject({ status: 'RUNNING', version: 3 });
  });

  it('pages past campaigns that cannot start, so they never starve later ones', async () => {
    const stuck = await Promise.all([1, 2, 3].map(() => scheduled(inHours(6), 0)));
    const ready = await scheduled(inHours(6.5));
    // Batches of 2: a single unpaged query would see only stuck campaigns (earlier startAt).
    const started = await startDueCampaigns(t.app, inHours(7), 2);
    expect(started).toContain(ready.dbId);
    for (const c of stuck) expect(started).not.toContain(c.dbId);
  });

  it('does not start a campaign rescheduled to later after the scheduler read it (dueBy)', async () => {
    const c = await scheduled(inHours(9));
    const before = await snapshot(t, c.dbId);
    // What the scheduler does when its read saw startAt ≤ now but the row now says later.
    await expect(performAction(t.app, { orgId: null, campaignId: c.dbId, action: 'START', dueBy: inHours(8) })).rejects.toBeInstanceOf(NotDueError);
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('does not start deleted campaigns', async () => {
    const c = await scheduled(inHours(10));
    await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { deletedAt: new Date() } });
    expect(await startDueCampaigns(t.app, inHours(11))).not.toContain(c.dbId);
    expect((await snapshot(t, c.dbId)).campaign.status).toBe('SCHEDULED');
  });

  it('two schedulers running at once start each due campaign exactly once', async () => {
    const due = await Promise.all(Array.from({ length: 8 }, (_, i) => scheduled(inHours(20 + i / 10))));
    const tick = inHours(21);
    const [a, b] = await Promise.all([startDueCampaigns(t.app, tick), startDueCampaigns(t.app, tick)]);
    const ids = due.map((c) => c.dbId);
    const mine = [...a, ...b].filter((id) => ids.includes(id));
    expect(mine.sort()).toEqual([...ids].sort());
    for (const c of due) {
      expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_SCHEDULE', 'CAMPAIGN_START']);
      expect((await snapshot(t, c.dbId)).campaign).toMatchObject({ status: 'RUNNING', version: 3 });
    }
  });
});
