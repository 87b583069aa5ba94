import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import { CampaignsUpdatedDocument, DeleteCampaignDocument, PauseCampaignDocument, StartCampaignDocument } from './generated/operations.ts';
import type { TestApp, TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';
import { eventually, makeCampaignWithCalls, makeWsClient, subscribeWs, transitionCall, useLiveServer } from './helpers/subscriptions.ts';

const live = useLiveServer();
const { leftovers } = live;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;
beforeAll(() => ({ t, org, server } = live));

describe('campaignsUpdated (the list page’s one subscription)', () => {
  it('sends each of the organisation’s campaigns as it is created, changes status, moves its stats or is deleted — and nobody else’s', async () => {
    const other = await t.makeOrg('campaigns-updated-other-org');
    const client = makeWsClient(server.url, org.key, leftovers);
    const sub = subscribeWs(client, CampaignsUpdatedDocument, {}, leftovers);
    await eventually(() => t.app.realtime.orgCampaigns.watching(org.orgId), undefined, 'the subscription to be watching');

    // Created after subscribing: new, so sent.
    const { id, callIds } = await makeCampaignWithCalls(t, org, 4, 'Listed live');
    const created = await sub.received.readUntil((d) => d.campaignsUpdated.id === id && d.campaignsUpdated.stats.total === 4);
    expect(created.at(-1)!.campaignsUpdated).toMatchObject({ name: 'Listed live', status: 'DRAFT', availableActions: expect.arrayContaining(['START']) });

    await org.exec(StartCampaignDocument, { input: { id } });
    await sub.received.readUntil((d) => d.campaignsUpdated.id === id && d.campaignsUpdated.status === 'RUNNING');

    // Stats moving (calls finishing) reach the list, coalesced, ending on the latest numbers.
    for (const callId of callIds) await transitionCall(t.app, callId!, { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 });
    await sub.received.readUntil((d) => d.campaignsUpdated.id === id && d.campaignsUpdated.stats.completed === 4);

    // Another organisation's campaign never shows up here.
    const foreign = await makeCampaign(other, 'Not yours');
    await other.exec(StartCampaignDocument, { input: { id: foreign.id } }).catch(() => undefined);

    await org.exec(PauseCampaignDocument, { input: { id } });
    await sub.received.readUntil((d) => d.campaignsUpdated.id === id && d.campaignsUpdated.status === 'PAUSED');
    await org.exec(DeleteCampaignDocument, { input: { id } });
    const deleted = await sub.received.readUntil((d) => d.campaignsUpdated.id === id && d.campaignsUpdated.deletedAt !== null);
    expect(deleted.at(-1)!.campaignsUpdated.availableActions).toEqual(['DUPLICATE']);

    sub.dispose();
    await eventually(() => !t.app.realtime.orgCampaigns.watching(org.orgId), undefined, 'the watch to stop with its last subscriber');
  });
});
