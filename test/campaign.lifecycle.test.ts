import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CampaignDocument,
  PauseCampaignDocument,
  ResumeCampaignDocument,
  StartCampaignDocument,
  StopCampaignDocument,
  UpdateCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

async function campaignWithCalls(count: number) {
  const campaign = await makeCampaign(org, 'Spring renewals');
  const dbId = campaign.dbId;
  await t.app.db.prisma.call.createMany({
    data: Array.from({ length: count }, (_, i) => ({ campaignId: dbId, phoneNumber: `+1415555${String(1000 + i)}` })),
  });
  return { id: campaign.id, dbId };
}

describe('campaign lifecycle over HTTP', () => {
  it('starts, pauses, resumes and stops, cancelling calls not dialed yet', async () => {
    const { id, dbId } = await campaignWithCalls(3);
    const started = await org.exec(StartCampaignDocument, { input: { id } });
    expect(started.startCampaign).toMatchObject({ __typename: 'StartCampaignPayload', campaign: { status: 'RUNNING', version: 2 } });
    const paused = await org.exec(PauseCampaignDocument, { input: { id } });
    expect(paused.pauseCampaign).toMatchObject({ campaign: { status: 'PAUSED', pauseReason: 'MANUAL' } });
    const resumed = await org.exec(ResumeCampaignDocument, { input: { id } });
    expect(resumed.resumeCampaign).toMatchObject({ campaign: { status: 'RUNNING', pauseReason: null } });
    const stopped = await org.exec(StopCampaignDocument, { input: { id } });
    expect(stopped.stopCampaign).toMatchObject({ campaign: { status: 'CANCELED' } });
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: dbId } });
    expect(calls.map((c) => [c.status, c.outcome])).toEqual(Array(3).fill(['CANCELED', 'NOT_DIALED']));
  });

  it('refuses an illegal transition with InvalidCampaignTransition and changes nothing', async () => {
    const { id } = await campaignWithCalls(1);
    const result = await org.exec(PauseCampaignDocument, { input: { id } });
    expect(result.pauseCampaign).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'DRAFT', action: 'PAUSE' });
    const after = await org.exec(CampaignDocument, { id });
    expect(after.campaign).toMatchObject({ status: 'DRAFT', version: 1 });
  });

  it('refuses a stale expectedVersion with VersionConflict', async () => {
    const { id } = await campaignWithCalls(1);
    const result = await org.exec(UpdateCampaignDocument, { input: { id, expectedVersion: 7, name: 'x' } });
    expect(result.updateCampaign).toMatchObject({ __typename: 'VersionConflict', currentVersion: 1 });
  });

  it('hides another organisation’s campaign (NotFound, null)', async () => {
    const { id } = await campaignWithCalls(1);
    const other = await t.makeOrg();
    expect((await other.exec(CampaignDocument, { id })).campaign).toBeNull();
    const result = await other.exec(StartCampaignDocument, { input: { id } });
    expect(result.startCampaign.__typename).toBe('NotFound');
    expect((await org.exec(CampaignDocument, { id })).campaign?.status).toBe('DRAFT');
  });
});
