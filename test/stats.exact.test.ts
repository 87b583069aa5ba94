import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteCampaignDocument,
  DuplicateCampaignDocument,
  RetryFailedCallsDocument,
  StartCampaignDocument,
  StopCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectExactStats, makeCampaign } from './helpers/campaigns.ts';
import { addContactsOk, expectApiStatsExact, uploadCsv, usNumbers } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

/** Served stats = GROUP BY over the rows, and counters = GROUP BY, for the campaign. */
async function exact(campaign: { id: string; dbId: string }) {
  await expectExactStats(t, campaign.dbId);
  return expectApiStatsExact(t, org, campaign.id);
}

describe('stats stay equal to the call rows through every kind of change', () => {
  it('add contacts (with skips), import, start, dialer updates, retryFailed, stop, duplicate, delete', async () => {
    const campaign = await makeCampaign(org);
    const prisma = t.app.db.prisma;
    await prisma.doNotCallEntry.create({ data: { organizationId: org.orgId, phoneNumber: '+14155550009' } });

    await addContactsOk(org, {
      campaignId: campaign.id,
      contacts: [...usNumbers(10), 'nope', '+14155550001'].map((phoneNumber) => ({ phoneNumber })),
    });
    expect(await exact(campaign)).toMatchObject({ total: 12, pending: 9, skipped: 3 });

    const { body } = await uploadCsv(t, org, { campaignId: campaign.id, csv: ['phone', ...usNumbers(6, 8)].join('\n') });
    expect(body.data?.importContacts).toMatchObject({ added: 4, skipped: 2 });
    expect(await exact(campaign)).toMatchObject({ total: 18, pending: 13 });

    expect((await org.exec(StartCampaignDocument, { input: { id: campaign.id } })).startCampaign.__typename).toBe('StartCampaignPayload');
    await exact(campaign);

    // What the dialer does to rows, written directly: dials, connections, failures.
    const pending = await prisma.call.findMany({ where: { campaignId: campaign.dbId, status: 'PENDING' }, orderBy: { position: 'asc' } });
    const ids = (from: number, to: number) => pending.slice(from, to).map((c) => c.id);
    await prisma.call.updateMany({ where: { id: { in: ids(0, 2) } }, data: { status: 'IN_PROGRESS', attemptCount: 1 } });
    await prisma.call.updateMany({
      where: { id: { in: ids(2, 5) } },
      data: { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1, connected: true, durationSeconds: 75, processedAt: new Date() },
    });
    await prisma.call.updateMany({
      where: { id: { in: ids(5, 8) } },
      data: { status: 'FAILED', outcome: 'NO_ANSWER', attemptCount: 3, processedAt: new Date() },
    });
    await prisma.call.updateMany({
      where: { id: { in: ids(8, 9) } },
      data: { status: 'RETRY_SCHEDULED', outcome: 'BUSY', attemptCount: 1, nextAttemptAt: new Date() },
    });
    expect(await exact(campaign)).toMatchObject({ inProgress: 2, completed: 3, failed: 3, retryScheduled: 1, attempts: 15, connectedCalls: 3 });

    expect((await org.exec(RetryFailedCallsDocument, { input: { id: campaign.id } })).retryFailedCalls.__typename).toBe('RetryFailedCallsPayload');
    expect(await exact(campaign)).toMatchObject({ failed: 0 });

    const follow = (await org.exec(DuplicateCampaignDocument, { input: { id: campaign.id, outcomes: ['ANSWERED'] } })).duplicateCampaign;
    if (follow.__typename !== 'DuplicateCampaignPayload') throw new Error(follow.__typename);
    const copy = { id: follow.campaign.id, dbId: (await prisma.campaign.findFirstOrThrow({ where: { sourceCampaignId: campaign.dbId } })).id };
    expect(await exact(copy)).toMatchObject({ total: 3, pending: 3 });

    expect((await org.exec(StopCampaignDocument, { input: { id: campaign.id } })).stopCampaign.__typename).toBe('StopCampaignPayload');
    expect(await exact(campaign)).toMatchObject({ pending: 0, retryScheduled: 0 });

    expect((await org.exec(DeleteCampaignDocument, { input: { id: copy.id } })).deleteCampaign.__typename).toBe('DeleteCampaignPayload');
    expect(await exact(copy)).toMatchObject({ total: 3, canceled: 3 });
  });
});
