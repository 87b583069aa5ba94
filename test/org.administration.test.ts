import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changeBalance } from '../src/services/billing.ts';
import { AddMinutesDocument, OrganizationAdminDocument, PauseCampaignDocument, UpdateOrganizationDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { campaignStatus, makeDialableCampaign, makeWorkerPool, waitFor } from './helpers/dialer.ts';

let t: TestApp;
const pool = makeWorkerPool(() => t);

beforeAll(async () => {
  t = await makeTestApp();
});
afterEach(() => pool.stopAll());
afterAll(() => t?.close());

/** The balance always equals the sum of its transactions. */
async function expectBalanceEqualsTransactions(org: TestOrg) {
  const { organization } = await org.exec(OrganizationAdminDocument, {});
  const sum = organization.balanceTransactions.edges.reduce((s, e) => s + e.node.deltaSeconds, 0);
  expect(organization.balanceTransactions.totalCount).toBe(organization.balanceTransactions.edges.length);
  expect(organization.balanceSeconds).toBe(sum);
  // Newest first: the first one's balanceAfterSeconds is the balance now.
  expect(organization.balanceTransactions.edges[0]!.node.balanceAfterSeconds).toBe(organization.balanceSeconds);
  return organization;
}

const runWorker = () => pool.start({ seed: 7, mix: { ANSWERED: 1 } });

describe('minutes', () => {
  it('starts with an OPENING transaction; calls are charged; top-ups are recorded — the balance is always their sum', async () => {
    const org = await t.makeOrg();
    const opened = await expectBalanceEqualsTransactions(org);
    expect(opened.balanceTransactions.edges.map((e) => e.node.kind)).toEqual(['OPENING']);

    await runWorker();
    const campaign = await makeDialableCampaign(org, { contacts: 5 });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete');
    const charged = await expectBalanceEqualsTransactions(org);
    expect(charged.balanceTransactions.edges.some((e) => e.node.kind === 'CALL_CHARGE' && e.node.deltaSeconds < 0)).toBe(true);

    const topped = await org.exec(AddMinutesDocument, { input: { minutes: 30, note: 'invoice 42' } });
    expect(topped.addMinutes).toMatchObject({ __typename: 'AddMinutesPayload', organization: { balanceSeconds: charged.balanceSeconds + 1800 } });
    const after = await expectBalanceEqualsTransactions(org);
    expect(after.balanceTransactions.edges[0]!.node).toMatchObject({ kind: 'TOP_UP', deltaSeconds: 1800, note: 'invoice 42' });
  });

  it('refuses a top-up that is not a whole positive number of minutes, and changes nothing', async () => {
    const org = await t.makeOrg();
    for (const minutes of [0, -5, 20_000_000]) {
      const result = await org.exec(AddMinutesDocument, { input: { minutes } });
      expect(result.addMinutes).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['minutes'] }] });
    }
    expect((await expectBalanceEqualsTransactions(org)).balanceTransactions.totalCount).toBe(1);
  });

  it('a top-up above zero resumes the campaigns that paused OUT_OF_MINUTES, not the ones paused by hand', async () => {
    const org = await t.makeOrg();
    const outOfMinutes = await makeDialableCampaign(org, { contacts: 3 });
    const byHand = await makeDialableCampaign(org, { contacts: 3 });
    await org.exec(PauseCampaignDocument, { input: { id: byHand.id } });
    // Spend the balance down to zero, as a long month of calls would.
    const { balanceSeconds } = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    await t.app.db.prisma.$transaction((tx) => changeBalance(tx, org.orgId, -balanceSeconds, 'ADJUSTMENT', 'test: spent'));
    await runWorker(); // finds no minutes: pauses the running campaign
    await waitFor(async () => (await campaignStatus(t, outOfMinutes.dbId)).pauseReason === 'OUT_OF_MINUTES', 'the OUT_OF_MINUTES pause');

    await org.exec(AddMinutesDocument, { input: { minutes: 60 } });
    expect(await campaignStatus(t, outOfMinutes.dbId)).toEqual({ status: 'RUNNING', pauseReason: null });
    expect(await campaignStatus(t, byHand.dbId)).toEqual({ status: 'PAUSED', pauseReason: 'MANUAL' });
    await expectBalanceEqualsTransactions(org);
  });
});

describe('plan limit', () => {
  it('sets and clears the unique-contact limit; contactsUsed counts numbers dialed', async () => {
    const org = await t.makeOrg();
    await runWorker();
    const campaign = await makeDialableCampaign(org, { contacts: 4 });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete');
    const set = await org.exec(UpdateOrganizationDocument, { input: { contactLimit: 10 } });
    expect(set.updateOrganization).toMatchObject({ organization: { contactLimit: 10, contactsUsed: 4 } });
    const bad = await org.exec(UpdateOrganizationDocument, { input: { contactLimit: -1 } });
    expect(bad.updateOrganization).toMatchObject({ __typename: 'ValidationError' });
    const cleared = await org.exec(UpdateOrganizationDocument, { input: { contactLimit: null } });
    expect(cleared.updateOrganization).toMatchObject({ organization: { contactLimit: null } });
  });
});
