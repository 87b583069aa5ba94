import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { AddContactsDocument, CreateAgentDocument, CreateCampaignDocument, ScheduleCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { uploadCsv } from './helpers/calls.ts';
import { makeCampaign, snapshot } from './helpers/campaigns.ts';

// The findings: inputs that reached an internal error (or were stored when they should not be).
let t: TestApp;
let org: TestOrg;
beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t?.close());

async function raw(query: string, variables: Record<string, unknown>) {
  const response = await t.yoga.fetch('http://callboard.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

const expectClientError = (body: { errors?: { message: string; extensions?: { code?: string } }[] }) => {
  expect(body.errors?.[0]?.message).not.toBe('Unexpected error.');
  expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
};

describe('text and JSON inputs', () => {
  it.each([
    ['a campaign name', CreateCampaignDocument, { input: { name: 'bad\u0000name' } }],
    ['an agent script', CreateAgentDocument, { input: { name: 'Ava', script: 'Hi\u0000', voice: 'alloy' } }],
    ['a phone number', AddContactsDocument, { input: { campaignId: 'x', contacts: [{ phoneNumber: '+1415555\u00000100' }] } }],
    ['a variable', AddContactsDocument, { input: { campaignId: 'x', contacts: [{ phoneNumber: '+14155550100', variables: { note: 'a\u0000b' } }] } }],
  ])('refuses a NUL byte in %s (BAD_USER_INPUT, nothing written)', async (_what, document, variables) => {
    const before = await t.app.db.prisma.campaign.count();
    const { status, body } = await raw(print(document), variables);
    expect(status).toBe(200);
    expectClientError(body);
    expect(await t.app.db.prisma.campaign.count()).toBe(before);
  });

  it('refuses a 10,000-level nested variables object without overflowing the stack', async () => {
    // Written as text: JSON.stringify itself would overflow on such a value.
    const deep = `${'{"d":'.repeat(10_000)}"leaf"${'}'.repeat(10_000)}`;
    const query = JSON.stringify(print(AddContactsDocument));
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
      body: `{"query":${query},"variables":{"input":{"campaignId":"x","contacts":[{"phoneNumber":"+14155550100","variables":${deep}}]}}}`,
    });
    expect(response.status).toBe(200);
    expectClientError(await response.json());
  });
});

describe('cursors', () => {
  it.each([
    [
      'a call cursor with a date that is not one',
      Buffer.from(JSON.stringify(['CREATED_AT', 'not a date', '00000000-0000-4000-8000-000000000000'])).toString('base64url'),
    ],
    ['a call cursor with an unknown status', Buffer.from(JSON.stringify(['STATUS', 'NOPE', '00000000-0000-4000-8000-000000000000'])).toString('base64url')],
  ])('refuses %s', async (_what, after) => {
    const c = await makeCampaign(org, 'cursor target');
    const { body } = await raw(
      'query($id: ID!, $after: String) { campaign(id: $id) { calls(first: 5, after: $after, orderBy: { field: CREATED_AT, direction: ASC }) { totalCount edges { node { id } } } } }',
      { id: c.id, after },
    );
    expect(body.errors?.[0]?.message).not.toBe('Unexpected error.');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a campaigns cursor that is malformed, random, or another organisation’s gets one and the same answer', async () => {
    const other = await t.makeOrg();
    const theirs = await makeCampaign(other, 'theirs');
    const cursorOf = (id: string) => Buffer.from(`GPC:S:${id}`).toString('base64');
    const answers = await Promise.all(
      [Buffer.from('GPC:S:not-a-uuid').toString('base64'), cursorOf('00000000-0000-4000-8000-000000000000'), cursorOf(theirs.dbId)].map(
        async (after) => (await raw('query($after: String) { campaigns(first: 5, after: $after) { edges { node { id } } } }', { after })).body,
      ),
    );
    for (const body of answers) expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(new Set(answers.map((b) => JSON.stringify(b))).size).toBe(1);
  });
});

describe('dates', () => {
  it('refuses a startAt the database could not read back, and one years ahead; nothing is committed', async () => {
    const c = await makeCampaign(org, 'far future');
    const before = await snapshot(t, c.dbId);
    const far = await raw(print(ScheduleCampaignDocument), { input: { id: c.id, startAt: '+275760-09-13T00:00:00Z' } });
    expect(far.body.errors?.[0]?.message).toMatch(/DateTime must be between/);
    const later = await org.exec(ScheduleCampaignDocument, { input: { id: c.id, startAt: new Date(Date.now() + 2 * 366 * 86400_000).toISOString() } });
    expect(later.scheduleCampaign).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['startAt'] }] });
    expect(await snapshot(t, c.dbId)).toEqual(before);
    expect((await raw('query($id: ID!) { campaign(id: $id) { scheduledAt } }', { id: c.id })).body.data.campaign.scheduledAt).toBeNull();
  });
});

describe('CSV files', () => {
  it('refuses a row whose extra columns exceed the 16 KB variables limit, and a NUL byte, naming the line', async () => {
    const c = await makeCampaign(org, 'csv limits');
    const header = ['phone', ...Array.from({ length: 10_000 }, (_, i) => `c${i}`)].join(',');
    const row = ['+14155550100', ...Array.from({ length: 10_000 }, () => 'xx')].join(',');
    const wide = await uploadCsv(t, org, { campaignId: c.id, csv: `${header}\n${row}\n` });
    expect(wide.body.data?.importContacts).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('line 2') });
    const nul = await uploadCsv(t, org, { campaignId: c.id, csv: 'phone,name\n+14155550101,A\u0000B\n' });
    expect(nul.body.data?.importContacts).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('NUL') });
    expect(await t.app.db.prisma.call.count({ where: { campaignId: c.dbId } })).toBe(0);
  });

  it('reads a file that mixes CR and CRLF line endings as separate rows', async () => {
    const c = await makeCampaign(org, 'csv endings');
    const mixed = await uploadCsv(t, org, { campaignId: c.id, csv: 'phone,name\r\n+14155550111,A\r+14155550112,B\r\n+14155550113,C\n' });
    expect(mixed.body.data?.importContacts).toMatchObject({ __typename: 'ImportContactsPayload', added: 3 });
  });
});

describe('errors name objects by global id', () => {
  it('NotFound from addContacts carries the id the client sent, not a database id', async () => {
    const ghost = encodeId('Campaign', '00000000-0000-4000-8000-000000000001');
    const result = await org.exec(AddContactsDocument, { input: { campaignId: ghost, contacts: [{ phoneNumber: '+14155550100' }] } });
    expect(result.addContacts).toMatchObject({ __typename: 'NotFound', id: ghost });
    expect(JSON.stringify(result)).not.toContain('00000000-0000-4000-8000-000000000001');
  });
});
