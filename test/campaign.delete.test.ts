import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeByDialer } from './helpers/dialer.ts';
import {
  CampaignDocument,
  CampaignsDocument,
  DeleteCampaignDocument,
  PauseCampaignDocument,
  StartCampaignDocument,
  UpdateCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, eventKinds, expectExactStats, makeCampaign, snapshot } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const listed = async (includeDeleted: boolean) => {
  const page = await org.exec(CampaignsDocument, { first: 100, filter: { includeDeleted } });
  return { ids: page.campaigns.edges.map((e) => e.node.id), totalCount: page.campaigns.totalCount };
};

describe('deleteCampaign', () => {
  it('stops a live campaign first, then hides it from lists; it stays readable by id', async () => {
    const keep = await makeCampaign(org, 'Kept');
    const c = await makeCampaign(org, 'Doomed');
    const calls = await addCalls(t, c.dbId, [{}, { status: 'RETRY_SCHEDULED', outcome: 'BUSY', attemptCount: 1 }, { status: 'IN_PROGRESS', attemptCount: 1 }]);
    await org.exec(StartCampaignDocument, { input: { id: c.id } });
    expect((await listed(false)).ids).toEqual(expect.arrayContaining([keep.id, c.id]));

    const result = await org.exec(DeleteCampaignDocument, { input: { id: c.id, expectedVersion: 2 } });
    expect(result.deleteCampaign).toMatchObject({ __typename: 'DeleteCampaignPayload', campaign: { status: 'CANCELED', version: 3 } });
    const deleted = (await org.exec(CampaignDocument, { id: c.id })).campaign!;
    expect(deleted).toMatchObject({ id: c.id, status: 'CANCELED', name: 'Doomed' });
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.canceledAt).not.toBeNull();

    const after = await snapshot(t, c.dbId);
    const status = new Map(after.calls.map((call) => [call.id, [call.status, call.outcome]]));
    expect(calls.map((call) => status.get(call.id))).toEqual([
      ['CANCELED', 'NOT_DIALED'],
      // A waiting retry is canceled as not dialed, like every call the stop cancels.
      ['CANCELED', 'NOT_DIALED'],
      ['IN_PROGRESS', null],
    ]);
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_START', 'CAMPAIGN_DELETE']);
    await expectExactStats(t, c.dbId);

    const visible = await listed(false);
    expect(visible.ids).toContain(keep.id);
    expect(visible.ids).not.toContain(c.id);
    const all = await listed(true);
    expect(all.ids).toEqual(expect.arrayContaining([keep.id, c.id]));
    expect(all.totalCount).toBe(visible.totalCount + 1);
  });

  it('deleting again, or any other change to a deleted campaign, is NotFound and changes nothing', async () => {
    const c = await makeCampaign(org);
    await org.exec(DeleteCampaignDocument, { input: { id: c.id } });
    const before = await snapshot(t, c.dbId);
    expect((await org.exec(DeleteCampaignDocument, { input: { id: c.id } })).deleteCampaign).toMatchObject({ __typename: 'NotFound', id: c.id });
    expect((await org.exec(UpdateCampaignDocument, { input: { id: c.id, name: 'back' } })).updateCampaign.__typename).toBe('NotFound');
    expect((await org.exec(PauseCampaignDocument, { input: { id: c.id } })).pauseCampaign.__typename).toBe('NotFound');
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('deletes a DRAFT (canceled, calls not dialed) and a COMPLETED campaign (keeps COMPLETED)', async () => {
    const draft = await makeCampaign(org);
    await addCalls(t, draft.dbId, [{}]);
    const d = await org.exec(DeleteCampaignDocument, { input: { id: draft.id } });
    expect(d.deleteCampaign).toMatchObject({ campaign: { status: 'CANCELED' } });
    expect((await snapshot(t, draft.dbId)).calls.map((call) => [call.status, call.outcome])).toEqual([['CANCELED', 'NOT_DIALED']]);

    const done = await makeCampaign(org);
    await addCalls(t, done.dbId, [{}]);
    await org.exec(StartCampaignDocument, { input: { id: done.id } });
    await t.app.db.prisma.call.updateMany({ where: { campaignId: done.dbId }, data: { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 } });
    await completeByDialer(t, done.dbId);
    const callsBefore = (await snapshot(t, done.dbId)).calls;
    const result = await org.exec(DeleteCampaignDocument, { input: { id: done.id } });
    expect(result.deleteCampaign).toMatchObject({ campaign: { status: 'COMPLETED', canceledAt: null } });
    expect((await snapshot(t, done.dbId)).calls).toEqual(callsBefore);
  });

  it('refuses a stale expectedVersion and another organisation’s campaign, changing nothing', async () => {
    const c = await makeCampaign(org);
    const before = await snapshot(t, c.dbId);
    expect((await org.exec(DeleteCampaignDocument, { input: { id: c.id, expectedVersion: 9 } })).deleteCampaign).toMatchObject({
      __typename: 'VersionConflict',
      currentVersion: 1,
    });
    const other = await t.makeOrg();
    expect((await other.exec(DeleteCampaignDocument, { input: { id: c.id } })).deleteCampaign.__typename).toBe('NotFound');
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });
});
