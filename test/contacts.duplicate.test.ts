import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { CreateAgentDocument, CreateCampaignDocument, DuplicateCampaignDocument, type DuplicateCampaignInput } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { dbIdOf, eventKinds } from './helpers/campaigns.ts';
import { addContactsOk, expectApiStatsExact } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;
let source: { id: string; dbId: string };

const settings = {
  maxAttempts: 5,
  maxConcurrentCalls: 7,
  timezone: 'Europe/Berlin',
  callingWindow: { days: ['MONDAY', 'WEDNESDAY'] as ('MONDAY' | 'WEDNESDAY')[], start: '10:00', end: '17:30' },
  retryPolicy: { BUSY: { delaySeconds: 600, maxAttempts: 2 } },
};

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  const agent = await org.exec(CreateAgentDocument, { input: { name: 'Ava' } });
  if (agent.createAgent.__typename !== 'CreateAgentPayload') throw new Error(agent.createAgent.__typename);
  const created = await org.exec(CreateCampaignDocument, { input: { name: 'Spring', agentId: agent.createAgent.agent.id, settings } });
  if (created.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error(created.createCampaign.__typename);
  source = { id: created.createCampaign.campaign.id, dbId: dbIdOf(created.createCampaign.campaign.id) };
  const prisma = t.app.db.prisma;
  await prisma.doNotCallEntry.create({ data: { organizationId: org.orgId, phoneNumber: '+14155550105' } });
  await addContactsOk(org, {
    campaignId: source.id,
    contacts: [
      { name: 'A', phoneNumber: '+14155550100', variables: { plan: 'gold' }, timezone: 'America/New_York' },
      { name: 'B', phoneNumber: '+14155550101' },
      { name: 'C', phoneNumber: '+14155550102' },
      { name: 'D', phoneNumber: '+14155550103' },
      { name: 'bad', phoneNumber: '123' },
      { name: 'again', phoneNumber: '+14155550100' },
      { name: 'listed', phoneNumber: '+14155550105' },
    ],
  });
  // Outcomes as the dialer would leave them.
  const set = (phoneNumber: string, data: object) =>
    prisma.call.updateMany({ where: { campaignId: source.dbId, phoneNumber, status: { not: 'SKIPPED' } }, data });
  await set('+14155550100', { status: 'FAILED', outcome: 'NO_ANSWER', attemptCount: 3, processedAt: new Date() });
  await set('+14155550101', { status: 'FAILED', outcome: 'NO_ANSWER', attemptCount: 3, processedAt: new Date() });
  await set('+14155550102', { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1, connected: true, durationSeconds: 40 });
  await set('+14155550103', { status: 'FAILED', outcome: 'BUSY', attemptCount: 2 });
  // Since the source ran: B asked not to be called; the listed number was taken off the list.
  await prisma.doNotCallEntry.create({ data: { organizationId: org.orgId, phoneNumber: '+14155550101' } });
  await prisma.doNotCallEntry.delete({ where: { organizationId_phoneNumber: { organizationId: org.orgId, phoneNumber: '+14155550105' } } });
});
afterAll(() => t.close());

async function duplicate(input: DuplicateCampaignInput) {
  const result = (await org.exec(DuplicateCampaignDocument, { input })).duplicateCampaign;
  if (result.__typename !== 'DuplicateCampaignPayload') throw new Error(JSON.stringify(result));
  return result;
}

const callsOf = (campaignId: string) => t.app.db.prisma.call.findMany({ where: { campaignId }, orderBy: { position: 'asc' } });

describe('duplicateCampaign', () => {
  it('makes a DRAFT follow-up of the no-answers with the same agent and settings, re-applying do-not-call', async () => {
    const result = await duplicate({ id: source.id, outcomes: ['NO_ANSWER'], name: 'Spring — no answer' });
    expect(result).toMatchObject({
      added: 1,
      skipped: 1,
      campaign: { name: 'Spring — no answer', status: 'DRAFT', version: 1, agent: { name: 'Ava' }, settings: { ...settings } },
    });
    const copy = dbIdOf(result.campaign.id);
    const row = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: copy } });
    expect(row.sourceCampaignId).toBe(source.dbId);
    const calls = await callsOf(copy);
    expect(calls.map((c) => [c.position, c.name, c.phoneNumber, c.status, c.outcome, c.attemptCount, c.timezone, c.variables])).toEqual([
      [1, 'A', '+14155550100', 'PENDING', null, 0, 'America/New_York', { plan: 'gold' }],
      [2, 'B', '+14155550101', 'SKIPPED', 'DO_NOT_CALL', 0, null, {}],
    ]);
    expect(await eventKinds(t, copy)).toEqual(['CAMPAIGN_DUPLICATED']);
    await expectApiStatsExact(t, org, result.campaign.id);
  });

  it('never copies invalid or duplicate rows, and calls a number taken off the do-not-call list', async () => {
    const skippedOnly = await duplicate({ id: source.id, statuses: ['SKIPPED'] });
    expect(skippedOnly).toMatchObject({ added: 1, skipped: 0, campaign: { name: 'Spring (follow-up)' } });
    expect((await callsOf(dbIdOf(skippedOnly.campaign.id))).map((c) => [c.name, c.status])).toEqual([['listed', 'PENDING']]);

    const everything = await duplicate({ id: source.id });
    const calls = await callsOf(dbIdOf(everything.campaign.id));
    expect(calls.map((c) => [c.name, c.status, c.outcome])).toEqual([
      ['A', 'PENDING', null],
      ['B', 'SKIPPED', 'DO_NOT_CALL'],
      ['C', 'PENDING', null],
      ['D', 'PENDING', null],
      ['listed', 'PENDING', null],
    ]);
    await expectApiStatsExact(t, org, everything.campaign.id);
    await expectApiStatsExact(t, org, source.id);
  });

  it('answers unknown, foreign and malformed ids with NotFound and a bad name with ValidationError, creating nothing', async () => {
    const count = () => t.app.db.prisma.campaign.count();
    const before = await count();
    const other = await t.makeOrg();
    const run = async (input: { id: string; name?: string }, who = org) => (await who.exec(DuplicateCampaignDocument, { input })).duplicateCampaign;
    expect(await run({ id: source.id }, other)).toMatchObject({ __typename: 'NotFound' });
    expect(await run({ id: encodeId('Campaign', '6f1c1d8e-1111-4111-8111-111111111111') })).toMatchObject({ __typename: 'NotFound' });
    expect(await run({ id: 'garbage' })).toMatchObject({ __typename: 'NotFound' });
    expect(await run({ id: source.id, name: '   ' })).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['name'] }] });
    expect(await count()).toBe(before);
  });
});
