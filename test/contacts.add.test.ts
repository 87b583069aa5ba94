import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { AddContactsDocument, StartCampaignDocument, StopCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { eventKinds, makeCampaign, snapshot } from './helpers/campaigns.ts';
import { addContactsOk, expectApiStatsExact, usNumbers } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const callsOf = (campaignId: string) => t.app.db.prisma.call.findMany({ where: { campaignId }, orderBy: { position: 'asc' } });

describe('addContacts', () => {
  it('normalises numbers to E.164 and keeps invalid ones and duplicates as SKIPPED rows with a report', async () => {
    const { id, dbId } = await makeCampaign(org);
    await t.app.db.prisma.doNotCallEntry.create({ data: { organizationId: org.orgId, phoneNumber: '+14155550199' } });
    const result = await addContactsOk(org, {
      campaignId: id,
      defaultCountry: 'US',
      contacts: [
        { name: 'Ada', phoneNumber: '(415) 555-0100', variables: { plan: 'gold' } },
        { name: 'Bob', phoneNumber: '12' },
        { name: 'Cy', phoneNumber: '+1 415 555 0100' },
        { name: 'Di', phoneNumber: '415.555.0199' },
        { name: 'Ed', phoneNumber: '+44 20 7946 0958', timezone: 'europe/london' },
        { name: 'Flo', phoneNumber: '+14155550101', timezone: 'Mars/Olympus' },
      ],
    });
    expect(result).toMatchObject({ added: 3, skipped: 3, rejectedCount: 3, warningCount: 1 });
    expect(result.rejected).toEqual([
      { row: 1, line: null, phoneNumber: '12', outcome: 'INVALID_NUMBER', reason: expect.stringContaining('12') },
      { row: 2, line: null, phoneNumber: '+14155550100', outcome: 'DUPLICATE', reason: '+14155550100 already appears in row 0' },
      { row: 3, line: null, phoneNumber: '+14155550199', outcome: 'DO_NOT_CALL', reason: expect.stringContaining('do-not-call') },
    ]);
    expect(result.warnings).toEqual([{ row: 5, line: null, phoneNumber: '+14155550101', reason: expect.stringContaining('Mars/Olympus') }]);

    const calls = await callsOf(dbId);
    expect(calls.map((c) => [c.position, c.name, c.phoneNumber, c.status, c.outcome, c.timezone])).toEqual([
      [1, 'Ada', '+14155550100', 'PENDING', null, null],
      [2, 'Bob', '12', 'SKIPPED', 'INVALID_NUMBER', null],
      [3, 'Cy', '+14155550100', 'SKIPPED', 'DUPLICATE', null],
      [4, 'Di', '+14155550199', 'SKIPPED', 'DO_NOT_CALL', null],
      [5, 'Ed', '+442079460958', 'PENDING', null, 'Europe/London'],
      [6, 'Flo', '+14155550101', 'PENDING', null, null],
    ]);
    expect(calls[0]!.variables).toEqual({ plan: 'gold' });
    expect(calls.filter((c) => c.status === 'SKIPPED').every((c) => c.processedAt)).toBe(true);
    await expectApiStatsExact(t, org, id);
    expect(await eventKinds(t, dbId)).toEqual(['CONTACTS_ADDED']);
  });

  it('dedupes against rows already in the campaign and continues positions across uploads', async () => {
    const { id, dbId } = await makeCampaign(org);
    await addContactsOk(org, { campaignId: id, contacts: usNumbers(3).map((phoneNumber) => ({ phoneNumber })) });
    const second = await addContactsOk(org, {
      campaignId: id,
      contacts: [...usNumbers(2, 2), ...usNumbers(1, 2)].map((phoneNumber) => ({ phoneNumber })),
    });
    expect(second).toMatchObject({ added: 1, skipped: 2 });
    expect(second.rejected.map((r) => [r.row, r.outcome, r.reason])).toEqual([
      [0, 'DUPLICATE', '+14155550002 is already in the campaign'],
      [2, 'DUPLICATE', '+14155550002 is already in the campaign'],
    ]);
    expect(second.campaign.version).toBe(3);
    const calls = await callsOf(dbId);
    expect(calls.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6]);
    await expectApiStatsExact(t, org, id);
  });

  it('appends to a RUNNING campaign and is refused (nothing changed) once it is CANCELED', async () => {
    const { id, dbId } = await makeCampaign(org);
    await addContactsOk(org, { campaignId: id, contacts: [{ phoneNumber: '+14155550100' }] });
    expect((await org.exec(StartCampaignDocument, { input: { id } })).startCampaign.__typename).toBe('StartCampaignPayload');
    const running = await addContactsOk(org, { campaignId: id, contacts: [{ phoneNumber: '+14155550101' }] });
    expect(running).toMatchObject({ added: 1, campaign: { status: 'RUNNING' } });
    await org.exec(StopCampaignDocument, { input: { id } });
    const before = await snapshot(t, dbId);
    const refused = await org.exec(AddContactsDocument, { input: { campaignId: id, contacts: [{ phoneNumber: '+14155550102' }] } });
    expect(refused.addContacts).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'CANCELED', action: 'ADD_CONTACTS' });
    expect(await snapshot(t, dbId)).toEqual(before);
  });

  it('answers bad input with typed errors and changes nothing', async () => {
    const { id, dbId } = await makeCampaign(org);
    const other = await t.makeOrg();
    const before = await snapshot(t, dbId);
    const run = async (input: Parameters<typeof addContactsOk>[1], who = org) => (await who.exec(AddContactsDocument, { input })).addContacts;

    expect(await run({ campaignId: encodeId('Campaign', '6f1c1d8e-1111-4111-8111-111111111111'), contacts: [{ phoneNumber: '+14155550100' }] })).toMatchObject({
      __typename: 'NotFound',
    });
    expect(await run({ campaignId: 'not-an-id', contacts: [{ phoneNumber: '+14155550100' }] })).toMatchObject({ __typename: 'NotFound' });
    expect(await run({ campaignId: encodeId('Agent', dbId), contacts: [{ phoneNumber: '+14155550100' }] })).toMatchObject({ __typename: 'NotFound' });
    expect(await run({ campaignId: id, contacts: [{ phoneNumber: '+14155550100' }] }, other)).toMatchObject({ __typename: 'NotFound' });
    expect(await run({ campaignId: id, defaultCountry: 'XX', contacts: [{ phoneNumber: '4155550100' }] })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['defaultCountry'] }],
    });
    expect(await run({ campaignId: id, contacts: [] })).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['contacts'] }] });
    expect(await run({ campaignId: id, contacts: [{ phoneNumber: '+14155550100', variables: ['a'] }] })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['contacts', '0', 'variables'] }],
    });
    const tooMany = usNumbers(10_001).map((phoneNumber) => ({ phoneNumber }));
    expect(await run({ campaignId: id, contacts: tooMany })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['contacts'], message: expect.stringContaining('importContacts') }],
    });
    expect(await snapshot(t, dbId)).toEqual(before);
  });

  it('serialises concurrent uploads: overlapping numbers are added once, positions never repeat', async () => {
    const { id, dbId } = await makeCampaign(org);
    const uploads = [usNumbers(30, 0), usNumbers(30, 20), usNumbers(30, 10)].map((numbers) =>
      addContactsOk(org, { campaignId: id, contacts: numbers.map((phoneNumber) => ({ phoneNumber })) }),
    );
    const results = await Promise.all(uploads);
    expect(results.reduce((sum, r) => sum + r.added, 0)).toBe(50);
    const calls = await callsOf(dbId);
    expect(calls.map((c) => c.position)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    const live = calls.filter((c) => c.status === 'PENDING').map((c) => c.phoneNumber);
    expect(new Set(live).size).toBe(50);
    expect(live).toHaveLength(50);
    expect(await eventKinds(t, dbId)).toEqual(['CONTACTS_ADDED', 'CONTACTS_ADDED', 'CONTACTS_ADDED']);
    await expectApiStatsExact(t, org, id);
  });

  it('takes 10,000 contacts in one request (set-based batches)', async () => {
    const fresh = await t.makeOrg();
    const { id, dbId } = await makeCampaign(fresh);
    const contacts = usNumbers(10_000).map((phoneNumber, i) => ({ phoneNumber, name: `C${i}`, variables: { i } }));
    contacts[9_999] = { phoneNumber: contacts[0]!.phoneNumber, name: 'again', variables: { i: 9_999 } };
    const result = await addContactsOk(fresh, { campaignId: id, contacts });
    expect(result).toMatchObject({ added: 9_999, skipped: 1, rejected: [{ row: 9_999, outcome: 'DUPLICATE' }] });
    expect(await t.app.db.prisma.call.count({ where: { campaignId: dbId } })).toBe(10_000);
    await expectApiStatsExact(t, fresh, id);
  });
});
