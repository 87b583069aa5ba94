import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/schema/common/ids.ts';
import { performAction } from '../src/services/campaign-lifecycle.ts';
import {
  CreateAgentDocument,
  CreateCampaignDocument,
  StartCampaignDocument,
  UpdateCampaignDocument,
  type CampaignSettingsInput,
  type UpdateCampaignInput,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, eventKinds, makeCampaign, snapshot } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

async function makeAgent(owner: TestOrg, name: string) {
  const result = await owner.exec(CreateAgentDocument, { input: { name } });
  if (result.createAgent.__typename !== 'CreateAgentPayload') throw new Error(result.createAgent.__typename);
  return result.createAgent.agent;
}

describe('updateCampaign', () => {
  it('renames, assigns an agent and changes settings; each change bumps the version by one and logs an event', async () => {
    const c = await makeCampaign(org, 'Q3 outreach');
    const agent = await makeAgent(org, 'Ava');
    const v1 = await snapshot(t, c.dbId);

    const renamed = await org.exec(UpdateCampaignDocument, { input: { id: c.id, expectedVersion: 1, name: '  Q3 outreach (EU)  ' } });
    expect(renamed.updateCampaign).toMatchObject({ __typename: 'UpdateCampaignPayload', campaign: { name: 'Q3 outreach (EU)', version: 2 } });

    const settings: CampaignSettingsInput = {
      maxAttempts: 5,
      maxConcurrentCalls: 25,
      timezone: 'Europe/Berlin',
      callingWindow: { days: ['SATURDAY', 'MONDAY', 'MONDAY'], start: '10:30', end: '18:00' },
      retryPolicy: { BUSY: { delaySeconds: 600 } },
    };
    const changed = await org.exec(UpdateCampaignDocument, { input: { id: c.id, expectedVersion: 2, agentId: agent.id, settings } });
    expect(changed.updateCampaign).toMatchObject({
      campaign: {
        version: 3,
        agent: { id: agent.id, name: 'Ava' },
        settings: {
          maxAttempts: 5,
          maxConcurrentCalls: 25,
          timezone: 'Europe/Berlin',
          callingWindow: { days: ['MONDAY', 'SATURDAY'], start: '10:30', end: '18:00' },
          retryPolicy: { BUSY: { delaySeconds: 600 } },
        },
      },
    });
    // Omitted settings stay; explicit null retryPolicy resets to the built-in defaults.
    const partial = await org.exec(UpdateCampaignDocument, { input: { id: c.id, settings: { maxAttempts: 2, retryPolicy: null } } });
    expect(partial.updateCampaign).toMatchObject({
      campaign: { version: 4, settings: { maxAttempts: 2, maxConcurrentCalls: 25, timezone: 'Europe/Berlin', retryPolicy: null } },
    });
    const v4 = await snapshot(t, c.dbId);
    expect(v4.campaign.updatedAt.getTime()).toBeGreaterThanOrEqual(v1.campaign.updatedAt.getTime());
    expect(await eventKinds(t, c.dbId)).toEqual(['CAMPAIGN_UPDATED', 'CAMPAIGN_UPDATED', 'CAMPAIGN_UPDATED']);
  });

  const invalid: [string, Partial<UpdateCampaignInput>, string[][]][] = [
    ['empty name', { name: '   ' }, [['name']]],
    ['overlong name', { name: 'x'.repeat(201) }, [['name']]],
    ['maxAttempts 0', { settings: { maxAttempts: 0 } }, [['settings', 'maxAttempts']]],
    ['maxAttempts 21', { settings: { maxAttempts: 21 } }, [['settings', 'maxAttempts']]],
    ['maxConcurrentCalls 5000', { settings: { maxConcurrentCalls: 5000 } }, [['settings', 'maxConcurrentCalls']]],
    ['unknown time zone', { settings: { timezone: 'Mars/Olympus_Mons' } }, [['settings', 'timezone']]],
    ['no calling days', { settings: { callingWindow: { days: [], start: '09:00', end: '17:00' } } }, [['settings', 'callingWindow', 'days']]],
    [
      'bad clock',
      { settings: { callingWindow: { days: ['MONDAY'], start: '25:00', end: '9pm' } } },
      [
        ['settings', 'callingWindow', 'start'],
        ['settings', 'callingWindow', 'end'],
      ],
    ],
    ['end before start', { settings: { callingWindow: { days: ['MONDAY'], start: '17:00', end: '09:00' } } }, [['settings', 'callingWindow', 'end']]],
    ['negative retry delay', { settings: { retryPolicy: { BUSY: { delaySeconds: -5 } } } }, [['settings', 'retryPolicy', 'BUSY', 'delaySeconds']]],
    ['several at once', { name: '', settings: { maxAttempts: -1, timezone: 'Nowhere' } }, [['name'], ['settings', 'maxAttempts'], ['settings', 'timezone']]],
  ];

  it.each(invalid)('refuses %s with ValidationError fieldErrors and changes nothing', async (_label, change, paths) => {
    const c = await makeCampaign(org);
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(UpdateCampaignDocument, { input: { id: c.id, ...change } });
    if (result.updateCampaign.__typename !== 'ValidationError') throw new Error(`expected ValidationError, got ${result.updateCampaign.__typename}`);
    const errors = result.updateCampaign.fieldErrors;
    expect(errors.map((e) => e.path)).toEqual(paths);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('refuses retry rules for outcomes that are never retried', async () => {
    const c = await makeCampaign(org);
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(UpdateCampaignDocument, { input: { id: c.id, settings: { retryPolicy: { ANSWERED: { delaySeconds: 60 } } } } });
    expect(result.updateCampaign).toMatchObject({ __typename: 'ValidationError' });
    if (result.updateCampaign.__typename === 'ValidationError')
      expect(result.updateCampaign.fieldErrors[0]!.path.slice(0, 2)).toEqual(['settings', 'retryPolicy']);
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('refuses a stale expectedVersion with VersionConflict { currentVersion } and changes nothing', async () => {
    const c = await makeCampaign(org);
    await org.exec(UpdateCampaignDocument, { input: { id: c.id, name: 'second' } });
    const before = await snapshot(t, c.dbId);
    const result = await org.exec(UpdateCampaignDocument, { input: { id: c.id, expectedVersion: 1, name: 'stale' } });
    expect(result.updateCampaign).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2 });
    expect(await snapshot(t, c.dbId)).toEqual(before);
    const fresh = await org.exec(UpdateCampaignDocument, { input: { id: c.id, expectedVersion: 2, name: 'third' } });
    expect(fresh.updateCampaign).toMatchObject({ campaign: { name: 'third', version: 3 } });
  });

  it('refuses an agent of another organisation or a malformed agent id (NotFound with the id sent)', async () => {
    const c = await makeCampaign(org);
    const other = await t.makeOrg();
    const foreign = await makeAgent(other, 'Not yours');
    const before = await snapshot(t, c.dbId);
    for (const agentId of [foreign.id, 'garbage', c.id, encodeId('Agent', '00000000-0000-4000-8000-000000000000')]) {
      const result = await org.exec(UpdateCampaignDocument, { input: { id: c.id, agentId } });
      expect(result.updateCampaign).toMatchObject({ __typename: 'NotFound', typename: 'Agent', id: agentId });
    }
    expect(await snapshot(t, c.dbId)).toEqual(before);
    // createCampaign checks the same way.
    const created = await org.exec(CreateCampaignDocument, { input: { name: 'x', agentId: foreign.id } });
    expect(created.createCampaign).toMatchObject({ __typename: 'NotFound', typename: 'Agent', id: foreign.id });
  });

  it('refuses another organisation’s campaign (NotFound) and changes nothing', async () => {
    const c = await makeCampaign(org);
    const other = await t.makeOrg();
    const before = await snapshot(t, c.dbId);
    const result = await other.exec(UpdateCampaignDocument, { input: { id: c.id, name: 'hijacked' } });
    expect(result.updateCampaign).toMatchObject({ __typename: 'NotFound', typename: 'Campaign', id: c.id });
    expect(await snapshot(t, c.dbId)).toEqual(before);
  });

  it('edits RUNNING and COMPLETED campaigns (later attempts use the new settings)', async () => {
    const c = await makeCampaign(org);
    await addCalls(t, c.dbId, [{}]);
    await org.exec(StartCampaignDocument, { input: { id: c.id } });
    const running = await org.exec(UpdateCampaignDocument, { input: { id: c.id, settings: { maxConcurrentCalls: 3 } } });
    expect(running.updateCampaign).toMatchObject({ campaign: { status: 'RUNNING', version: 3 } });
    await t.app.db.prisma.call.updateMany({ where: { campaignId: c.dbId }, data: { status: 'FAILED', outcome: 'NO_ANSWER', attemptCount: 3 } });
    await performAction(t.app, { orgId: null, campaignId: c.dbId, action: 'COMPLETE' });
    const completed = await org.exec(UpdateCampaignDocument, { input: { id: c.id, settings: { maxAttempts: 6 } } });
    expect(completed.updateCampaign).toMatchObject({ campaign: { status: 'COMPLETED', version: 5, settings: { maxAttempts: 6 } } });
  });
});
