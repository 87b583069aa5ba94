import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../src/auth/keys.ts';
import { pauseFor } from '../src/dialer/system-pauses.ts';
import { schema } from '../src/schema/index.ts';
import {
  AddMinutesDocument,
  AuditEventsDocument,
  PauseCampaignDocument,
  ResumeCampaignDocument,
  StartCampaignDocument,
  StopCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk } from './helpers/calls.ts';
import { makeCampaign } from './helpers/campaigns.ts';

// The finding: nobody could tell who paused or stopped a campaign.
let t: TestApp;
let org: TestOrg;
beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t?.close());

async function as(key: string, query: string, variables: Record<string, unknown>, requestId?: string) {
  const response = await t.yoga.fetch('http://callboard.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const auditOf = async (targetId: string, action?: string) =>
  (await org.exec(AuditEventsDocument, { filter: { targetId, action } })).organization.auditEvents.edges.map((e) => e.node);

describe('the audit log', () => {
  it('records who paused and who stopped a campaign, with before/after and the request id; callboard’s own pauses name no key', async () => {
    const ops = await createKey(t.app.db.prisma, { id: org.orgId }, { name: 'ops console', scopes: ['WRITE'] });
    const c = await makeCampaign(org, 'audited');
    await addContactsOk(org, { campaignId: c.id, contacts: [{ phoneNumber: '+14155550100' }] });
    await org.exec(StartCampaignDocument, { input: { id: c.id } });
    expect((await as(ops, print(PauseCampaignDocument), { input: { id: c.id } }, 'req-42')).data.pauseCampaign.__typename).toBe('PauseCampaignPayload');
    await org.exec(ResumeCampaignDocument, { input: { id: c.id } });
    await pauseFor(t.app, c.dbId, 'OUT_OF_MINUTES');
    // Refused (already paused): no audit row.
    expect((await as(ops, print(PauseCampaignDocument), { input: { id: c.id } })).data.pauseCampaign.__typename).toBe('InvalidCampaignTransition');
    await as(ops, print(StopCampaignDocument), { input: { id: c.id } }, 'req-43');

    const pauses = await auditOf(c.id, 'campaign.pause');
    expect(pauses).toHaveLength(2);
    const [system, byOps] = pauses; // newest first
    expect(system).toMatchObject({ actor: { apiKeyId: null, name: null }, requestId: null, after: { status: 'PAUSED', pauseReason: 'OUT_OF_MINUTES' } });
    expect(byOps).toMatchObject({
      action: 'campaign.pause',
      targetType: 'Campaign',
      targetId: c.id,
      actor: { name: 'ops console', apiKeyId: expect.any(String) },
      requestId: 'req-42',
      before: { status: 'RUNNING', version: 3 },
      after: { status: 'PAUSED', version: 4, pauseReason: 'MANUAL' },
    });
    const [stop] = await auditOf(c.id, 'campaign.stop');
    expect(stop).toMatchObject({ actor: { name: 'ops console' }, requestId: 'req-43', before: { status: 'PAUSED' }, after: { status: 'CANCELED' } });
    expect((await auditOf(c.id)).map((e) => e.action)).toEqual([
      'campaign.stop',
      'campaign.pause',
      'campaign.resume',
      'campaign.pause',
      'campaign.start',
      'campaign.add_contacts',
      'campaign.create',
    ]);
  });

  it('records administration: minutes, with the balance before and after', async () => {
    await org.exec(AddMinutesDocument, { input: { minutes: 5, note: 'audit' } });
    const [topUp] = (await org.exec(AuditEventsDocument, { filter: { action: 'organization.add_minutes' } })).organization.auditEvents.edges.map((e) => e.node);
    expect(topUp!.after).toMatchObject({ note: 'audit' });
    expect((topUp!.after as { balanceSeconds: number }).balanceSeconds - (topUp!.before as { balanceSeconds: number }).balanceSeconds).toBe(300);
  });

  it('no API changes or deletes it, and only ADMIN keys read it', async () => {
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    expect(mutations.filter((name) => /audit/i.test(name))).toEqual([]);
    const writer = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['WRITE'] });
    const body = await as(writer, print(AuditEventsDocument), {});
    expect(body.errors?.[0]?.message).toMatch(/not authorized/i);
  });
});
