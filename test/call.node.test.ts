import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { CallNodeDocument, CampaignCallsDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';
import { addContactsOk } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;
let other: TestOrg;
let callId: string;
let campaignId: string;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  other = await t.makeOrg();
  const campaign = await makeCampaign(org, 'Renewals');
  campaignId = campaign.id;
  await addContactsOk(org, {
    campaignId: campaign.id,
    contacts: [{ name: 'Ada Lovelace', phoneNumber: '+14155550100', timezone: 'America/Los_Angeles', variables: { plan: 'gold' } }],
  });
  const call = await t.app.db.prisma.call.findFirstOrThrow({ where: { campaignId: campaign.dbId } });
  callId = call.id;
  const prisma = t.app.db.prisma;
  const started = new Date('2026-11-20T17:00:00.000Z');
  // Written out of order, plus a test call on the same number that must not be listed.
  await prisma.callAttempt.create({
    data: {
      campaignId: campaign.dbId,
      callId,
      number: 2,
      toNumber: call.phoneNumber,
      telephonyStatus: 'COMPLETED',
      answeredBy: 'HUMAN',
      outcome: 'MEETING_BOOKED',
      startedAt: new Date(started.getTime() + 3_600_000),
      answeredAt: new Date(started.getTime() + 3_605_000),
      endedAt: new Date(started.getTime() + 3_725_000),
      durationSeconds: 120,
      providerCallId: 'sim-2',
      transcript: 'Hi Ada…',
      summary: 'Booked a demo.',
    },
  });
  await prisma.callAttempt.create({
    data: {
      campaignId: campaign.dbId,
      callId,
      number: 1,
      toNumber: call.phoneNumber,
      telephonyStatus: 'NO_ANSWER',
      outcome: 'NO_ANSWER',
      startedAt: started,
      endedAt: new Date(started.getTime() + 30_000),
      providerCallId: 'sim-1',
    },
  });
  await prisma.callAttempt.create({
    data: { campaignId: campaign.dbId, callId: null, isTest: true, number: 1, toNumber: '+14155550999', telephonyStatus: 'FAILED', errorMessage: 'test' },
  });
  await prisma.call.update({
    where: { id: callId },
    data: {
      status: 'COMPLETED',
      outcome: 'MEETING_BOOKED',
      attemptCount: 2,
      connected: true,
      durationSeconds: 120,
      processedAt: new Date(started.getTime() + 3_725_000),
    },
  });
});
afterAll(() => t.close());

describe('Call node', () => {
  it('serves every field, with attempts in order and test calls left out', async () => {
    const { node } = await org.exec(CallNodeDocument, { id: encodeId('Call', callId) });
    expect(node).toMatchObject({
      __typename: 'Call',
      name: 'Ada Lovelace',
      phoneNumber: '+14155550100',
      status: 'COMPLETED',
      outcome: 'MEETING_BOOKED',
      attemptCount: 2,
      processedAt: '2026-11-20T18:02:05.000Z',
      durationSeconds: 120,
      connected: true,
      variables: { plan: 'gold' },
      timezone: 'America/Los_Angeles',
      position: 1,
      campaign: { id: campaignId, name: 'Renewals' },
    });
    if (node?.__typename !== 'Call') throw new Error('not a call');
    expect(node.attempts.map((a) => [a.number, a.telephonyStatus, a.outcome, a.providerCallId])).toEqual([
      [1, 'NO_ANSWER', 'NO_ANSWER', 'sim-1'],
      [2, 'COMPLETED', 'MEETING_BOOKED', 'sim-2'],
    ]);
    expect(node.attempts[1]).toMatchObject({ answeredBy: 'HUMAN', durationSeconds: 120, transcript: 'Hi Ada…', summary: 'Booked a demo.', errorMessage: null });
    const attempt = await org.exec(CallNodeDocument, { id: node.attempts[0]!.id });
    expect(attempt.node).toMatchObject({ __typename: 'CallAttempt', number: 1 });
  });

  it('is invisible to another organisation, and malformed ids read as null', async () => {
    expect((await other.exec(CallNodeDocument, { id: encodeId('Call', callId) })).node).toBeNull();
    const { node } = await org.exec(CallNodeDocument, { id: encodeId('Call', callId) });
    if (node?.__typename !== 'Call') throw new Error('not a call');
    expect((await other.exec(CallNodeDocument, { id: node.attempts[0]!.id })).node).toBeNull();
    expect((await other.exec(CampaignCallsDocument, { id: campaignId })).campaign).toBeNull();
    expect((await org.exec(CallNodeDocument, { id: encodeId('Call', 'not-a-uuid') })).node).toBeNull();
    expect((await org.exec(CallNodeDocument, { id: encodeId('Call', '6f1c1d8e-1111-4111-8111-111111111111') })).node).toBeNull();
  });
});
