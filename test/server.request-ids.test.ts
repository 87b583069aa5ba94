import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;
beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t?.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function post(query: string, headers: Record<string, string> = {}) {
  return t.yoga.fetch('http://callboard.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}`, ...headers },
    body: JSON.stringify({ query }),
  });
}

async function lastAudit(targetId: string) {
  return t.app.db.prisma.auditEvent.findFirstOrThrow({ where: { organizationId: org.orgId, targetId }, orderBy: { at: 'desc' } });
}

describe('request ids', () => {
  it('answers with the client’s x-request-id, and the audit log records the same id', async () => {
    const campaign = await makeCampaign(org, 'Traced');
    const response = await post(`mutation { pauseCampaign(input: { id: "${campaign.id}" }) { __typename } }`, { 'x-request-id': 'trace-42.a' });
    expect(response.headers.get('x-request-id')).toBe('trace-42.a');
    await response.json();
    const renamed = await post(`mutation { updateCampaign(input: { id: "${campaign.id}", name: "Traced 2" }) { __typename } }`, { 'x-request-id': 'trace-43' });
    expect((await renamed.json()).data.updateCampaign.__typename).toBe('UpdateCampaignPayload');
    expect((await lastAudit(campaign.dbId)).requestId).toBe('trace-43');
  });

  it('makes one up when there is none or it is not a sane token, and returns that one', async () => {
    const campaign = await makeCampaign(org, 'Untraced');
    const response = await post(`mutation { updateCampaign(input: { id: "${campaign.id}", name: "Renamed" }) { __typename } }`, {
      'x-request-id': 'not a token; drop table',
    });
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    await response.json();
    expect((await lastAudit(campaign.dbId)).requestId).toBe(id);
  });

  it('comes back on every answer: refused (401), health, and file routes', async () => {
    const refused = await t.yoga.fetch('http://callboard.test/graphql', { method: 'POST', headers: { 'x-request-id': 'who-am-i' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('who-am-i');
    expect((await t.yoga.fetch('http://callboard.test/health')).headers.get('x-request-id')).toMatch(UUID);
    const campaign = await makeCampaign(org, 'Uploaded');
    const upload = await t.yoga.fetch(`http://callboard.test/imports/campaigns/${encodeURIComponent(campaign.id)}/contacts.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'text/csv', 'x-request-id': 'upload-7' },
      body: 'name,phone\nAda,+14155550100\n',
    });
    expect(upload.status).toBe(200);
    expect(upload.headers.get('x-request-id')).toBe('upload-7');
    expect((await lastAudit(campaign.dbId)).requestId).toBe('upload-7');
  });
});
