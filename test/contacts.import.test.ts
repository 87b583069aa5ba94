import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { importContacts } from '../src/services/contacts.ts';
import { ValidationError } from '../src/domain/errors.ts';
import { StartCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { eventKinds, makeCampaign, snapshot } from './helpers/campaigns.ts';
import { addContactsOk, expectApiStatsExact, uploadCsv, usNumbers } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const callsOf = (campaignId: string) => t.app.db.prisma.call.findMany({ where: { campaignId }, orderBy: { position: 'asc' } });

async function importOk(campaignId: string, csv: string, defaultCountry?: string) {
  const { status, body } = await uploadCsv(t, org, { campaignId, csv, defaultCountry });
  expect(status).toBe(200);
  const result = body.data?.importContacts;
  if (result?.__typename !== 'ImportContactsPayload') throw new Error(JSON.stringify(body));
  return result;
}

describe('importContacts (CSV, GraphQL multipart)', () => {
  it('maps name / phone aliases / timezone and keeps every other column as variables', async () => {
    const { id, dbId } = await makeCampaign(org);
    const csv =
      '\uFEFFName,Phone Number,Time Zone,plan,"favourite, colour"\r\n' +
      '"Lovelace, Ada",(415) 555-0100,America/Los_Angeles,gold,"blue"\r\n' +
      'Bob,not a number,,silver,red\r\n' +
      '\r\n' +
      '"Cy ""the kid""",+1 415 555 0100,,bronze,\r\n' +
      'Di,415 555 0101,Atlantis/Nowhere,gold,green\r\n';
    const result = await importOk(id, csv, 'US');
    expect(result).toMatchObject({ added: 2, skipped: 2, rejectedCount: 2, warningCount: 1, campaign: { version: 2 } });
    expect(result.rejected).toEqual([
      { row: 1, line: 3, phoneNumber: 'not a number', outcome: 'INVALID_NUMBER', reason: expect.any(String) },
      { row: 2, line: 5, phoneNumber: '+14155550100', outcome: 'DUPLICATE', reason: '+14155550100 already appears in row 0' },
    ]);
    expect(result.warnings).toEqual([{ row: 3, line: 6, phoneNumber: '+14155550101', reason: expect.stringContaining('Atlantis/Nowhere') }]);
    const calls = await callsOf(dbId);
    expect(calls.map((c) => [c.name, c.phoneNumber, c.status, c.timezone, c.variables])).toEqual([
      ['Lovelace, Ada', '+14155550100', 'PENDING', 'America/Los_Angeles', { plan: 'gold', 'favourite, colour': 'blue' }],
      ['Bob', 'not a number', 'SKIPPED', null, { plan: 'silver', 'favourite, colour': 'red' }],
      ['Cy "the kid"', '+14155550100', 'SKIPPED', null, { plan: 'bronze', 'favourite, colour': '' }],
      ['Di', '+14155550101', 'PENDING', null, { plan: 'gold', 'favourite, colour': 'green' }],
    ]);
    expect(await eventKinds(t, dbId)).toEqual(['CONTACTS_ADDED']);
    await expectApiStatsExact(t, org, id);
  });

  it('reads semicolon-separated files and appends to a running campaign, deduping against its rows', async () => {
    const { id, dbId } = await makeCampaign(org);
    await addContactsOk(org, { campaignId: id, contacts: [{ phoneNumber: '+14155550100' }] });
    await org.exec(StartCampaignDocument, { input: { id } });
    const result = await importOk(id, 'name;mobile;note\nAda;+14155550100;x\nBob;+14155550102;y; extra\n');
    expect(result).toMatchObject({ added: 1, skipped: 1, rejected: [{ row: 0, outcome: 'DUPLICATE' }], campaign: { status: 'RUNNING' } });
    expect((await callsOf(dbId)).map((c) => [c.position, c.name, c.variables])).toEqual([
      [1, '', {}],
      [2, 'Ada', { note: 'x' }],
      [3, 'Bob', { note: 'y' }],
    ]);
    await expectApiStatsExact(t, org, id);
  });

  it('imports 12,001 rows in several batches, listing the first 1,000 rejected rows and counting all', async () => {
    const { id, dbId } = await makeCampaign(org);
    const lines = ['phone,name,row'];
    for (let i = 0; i < 12_001; i++) lines.push(i % 8 === 0 ? `12${i},Bad ${i},${i}` : `+1415${String(2_000_000 + i)},Good ${i},${i}`);
    const result = await importOk(id, lines.join('\n'));
    expect(result.rejectedCount).toBe(1_501);
    expect(result).toMatchObject({ added: 10_500, skipped: 1_501 });
    expect(result.rejected).toHaveLength(1_000);
    expect(result.rejected[999]).toMatchObject({ row: 7_992, line: 7_994, outcome: 'INVALID_NUMBER' });
    expect(await t.app.db.prisma.call.count({ where: { campaignId: dbId } })).toBe(12_001);
    const last = await t.app.db.prisma.call.findFirstOrThrow({ where: { campaignId: dbId, position: 12_000 } });
    expect(last).toMatchObject({ name: 'Good 11999', variables: { row: '11999' } });
    await expectApiStatsExact(t, org, id);
  });

  it('refuses bad files with ValidationError and imports nothing', async () => {
    const { id, dbId } = await makeCampaign(org);
    const before = await snapshot(t, dbId);
    const refused = async (csv: string) => {
      const { body } = await uploadCsv(t, org, { campaignId: id, csv });
      return body.data?.importContacts;
    };
    expect(await refused('name,email\nAda,ada@example.com\n')).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['file'], message: expect.stringContaining('phone') }],
    });
    expect(await refused('')).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['file'] }] });
    expect(await refused('phone,name\n')).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['file'] }] });
    expect(await refused('phone,name\n+14155550100,"Ada\n')).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['file'], message: expect.stringContaining('CSV') }],
    });
    const { body } = await uploadCsv(t, org, { campaignId: id, csv: 'phone\n4155550100\n', defaultCountry: 'ZZ' });
    expect(body.data?.importContacts).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['defaultCountry'] }] });
    expect(await snapshot(t, dbId)).toEqual(before);
  });

  it('rolls back everything when the file turns bad after several batches were staged', async () => {
    const { dbId } = await makeCampaign(org);
    const before = await snapshot(t, dbId);
    const rows = usNumbers(40).map((n, i) => (i === 30 ? `${n},bro"ken` : `${n},ok`));
    const file = new Blob([['phone,name', ...rows].join('\n')]);
    const attempt = importContacts(t.app, org.orgId, { campaignId: dbId, file }, { batchSize: 4 });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    expect(await snapshot(t, dbId)).toEqual(before);
    // The same file without the bad line goes through, so the failure above was the line.
    const good = new Blob([['phone,name', ...usNumbers(40).map((n) => `${n},ok`)].join('\n')]);
    const report = await importContacts(t.app, org.orgId, { campaignId: dbId, file: good }, { batchSize: 4 });
    expect(report).toMatchObject({ added: 40, skipped: 0 });
  });

  it('answers unknown and foreign campaigns with NotFound', async () => {
    const { id } = await makeCampaign(org);
    const other = await t.makeOrg();
    const csv = 'phone\n+14155550100\n';
    const foreign = await uploadCsv(t, other, { campaignId: id, csv });
    expect(foreign.body.data?.importContacts).toMatchObject({ __typename: 'NotFound' });
    const unknown = await uploadCsv(t, org, { campaignId: encodeId('Campaign', '6f1c1d8e-1111-4111-8111-111111111111'), csv });
    expect(unknown.body.data?.importContacts).toMatchObject({ __typename: 'NotFound' });
    const malformed = await uploadCsv(t, org, { campaignId: 'x', csv });
    expect(malformed.body.data?.importContacts).toMatchObject({ __typename: 'NotFound' });
  });
});
