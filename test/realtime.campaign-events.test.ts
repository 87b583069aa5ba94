import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.ts';
import {
  AddContactsDocument,
  CampaignEventsDocument,
  CampaignEventsWithCampaignDocument,
  PauseCampaignDocument,
  RealtimeCampaignStatsDocument,
  ResumeCampaignDocument,
  StartCampaignDocument,
  StopCampaignDocument,
  UpdateCampaignDocument,
} from './generated/operations.ts';
import type { TestApp, TestOrg } from './helpers/app.ts';
import {
  appendUnpublished,
  eventually,
  useLiveServer,
  makeCampaignWithCalls,
  makeWsClient,
  subscribersReady,
  subscribeSse,
  subscribeWs,
  transitionCall,
} from './helpers/subscriptions.ts';

const live = useLiveServer();
const { leftovers } = live;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;
beforeAll(() => ({ t, org, server } = live));

async function logOf(dbId: string) {
  const rows = await t.app.db.prisma.campaignEvent.findMany({ where: { campaignId: dbId }, orderBy: { sequence: 'asc' } });
  return rows.map((r) => ({ sequence: r.sequence, kind: r.kind }));
}

/** Waits until the hub holds no channel any more: every server-side subscription ended. */
const hubDrained = () => eventually(() => t.app.realtime.stats().channels === 0, undefined, 'subscriptions to end');

describe('campaignEvents over graphql-ws', () => {
  it('delivers every change in order, with gapless sequences, replaying from after', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 4);
    const client = makeWsClient(server.url, org.key, leftovers);
    const sub = subscribeWs(client, CampaignEventsWithCampaignDocument, { campaignId: id, after: 0 }, leftovers);
    await subscribersReady(t.app, dbId, 1);

    await org.exec(StartCampaignDocument, { input: { id } });
    await transitionCall(t.app, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    await transitionCall(t.app, callIds[1]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    await org.exec(UpdateCampaignDocument, { input: { id, name: 'Live dashboard (renamed)' } });
    const added = await org.exec(AddContactsDocument, {
      input: { campaignId: id, contacts: [{ name: 'Late addition', phoneNumber: '+1 415 555 0199' }] },
    });
    expect(added.addContacts).toMatchObject({ __typename: 'AddContactsPayload', added: 1 });
    await transitionCall(t.app, callIds[0]!, { status: 'COMPLETED', outcome: 'ANSWERED', connected: true, durationSeconds: 42 });
    await org.exec(PauseCampaignDocument, { input: { id } });
    await transitionCall(t.app, callIds[1]!, { status: 'FAILED', outcome: 'BUSY' });
    await org.exec(ResumeCampaignDocument, { input: { id } });
    await org.exec(StopCampaignDocument, { input: { id } });

    const log = await logOf(dbId);
    expect(log).toHaveLength(10);
    const got = await sub.received.take(log.length);
    expect(got.map((e) => ({ sequence: e.campaignEvents.sequence, kind: e.campaignEvents.kind }))).toEqual(log);
    expect(log.map((e) => e.kind)).toEqual([
      'CAMPAIGN_START',
      'CALL_UPDATED',
      'CALL_UPDATED',
      'CAMPAIGN_UPDATED',
      'CONTACTS_ADDED',
      'CALL_UPDATED',
      'CAMPAIGN_PAUSE',
      'CALL_UPDATED',
      'CAMPAIGN_RESUME',
      'CAMPAIGN_STOP',
    ]);
    // The last event's campaign is the final state, stats included (read once, shared).
    const last = got.at(-1)!.campaignEvents.campaign;
    const now = await org.exec(RealtimeCampaignStatsDocument, { id });
    expect(last).toMatchObject({ id, status: 'CANCELED', name: 'Live dashboard (renamed)' });
    expect(last.stats).toEqual(now.campaign!.stats);
    expect(last.stats).toMatchObject({ total: 5, completed: 1, failed: 1, canceled: 3, totalTimeSpentSeconds: 42 });
    expect(sub.received.unread).toBe(0);
    sub.dispose();
    await hubDrained();
  });

  it('resumes after a reconnect with after: lastSeen — nothing missed, nothing twice', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 6);
    await org.exec(StartCampaignDocument, { input: { id } });
    await transitionCall(t.app, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 });

    const client = makeWsClient(server.url, org.key, leftovers);
    const first = subscribeWs(client, CampaignEventsDocument, { campaignId: id, after: 0 }, leftovers);
    const seen = (await first.received.take(2)).map((e) => e.campaignEvents.sequence);
    expect(seen).toEqual([1, 2]);
    first.dispose();
    await hubDrained();

    // Changes while the dashboard is away.
    for (const callId of callIds.slice(1, 5)) await transitionCall(t.app, callId, { status: 'IN_PROGRESS', attemptCount: 1 });
    await org.exec(PauseCampaignDocument, { input: { id } });

    const second = subscribeWs(client, CampaignEventsDocument, { campaignId: id, after: 2 }, leftovers);
    const replayed = await second.received.take(5);
    expect(replayed.map((e) => e.campaignEvents.sequence)).toEqual([3, 4, 5, 6, 7]);
    expect(replayed.map((e) => e.campaignEvents.callStatus)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', null]);
    // Then live.
    await org.exec(ResumeCampaignDocument, { input: { id } });
    const live = await second.received.nextData();
    expect(live.campaignEvents).toMatchObject({ sequence: 8, kind: 'CAMPAIGN_RESUME' });
    expect((await logOf(dbId)).map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(second.received.unread).toBe(0);
    second.dispose();
    await hubDrained();
  });

  it('live-only without after, and several subscribers each get every event once', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 2);
    await org.exec(StartCampaignDocument, { input: { id } });
    const client = makeWsClient(server.url, org.key, leftovers);
    const subs = [0, 1, 2].map(() => subscribeWs(client, CampaignEventsDocument, { campaignId: id }, leftovers));
    await subscribersReady(t.app, dbId, 3);
    await transitionCall(t.app, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    await transitionCall(t.app, callIds[0]!, { status: 'COMPLETED', outcome: 'ANSWERED' });
    for (const sub of subs) {
      const got = await sub.received.take(2);
      expect(got.map((e) => [e.campaignEvents.sequence, e.campaignEvents.callStatus])).toEqual([
        [2, 'IN_PROGRESS'],
        [3, 'COMPLETED'],
      ]);
    }
    // One channel (one bus subscription) for the three of them.
    expect(t.app.realtime.stats()).toEqual({ channels: 1, subscribers: 3 });
    for (const sub of subs) sub.dispose();
    await hubDrained();
  });

  it('delivers an event whose publish was lost: by gap fill, and by the idle poll', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 2);
    const client = makeWsClient(server.url, org.key, leftovers);
    const sub = subscribeWs(client, CampaignEventsDocument, { campaignId: id }, leftovers);
    await subscribersReady(t.app, dbId, 1);

    // Gap: sequence 1 is committed but never published; 2 is published and reveals the gap.
    await transitionCall(t.app, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 }, { publish: false });
    await transitionCall(t.app, callIds[1]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    const gapFilled = await sub.received.take(2);
    expect(gapFilled.map((e) => e.campaignEvents.sequence)).toEqual([1, 2]);
    expect(t.app.realtime.channelStats(dbId)).toMatchObject({ fromLog: 2, fromBus: 0 });

    // Trailing loss: nothing follows it, so only the poll (about a second) can find it.
    await appendUnpublished(t.app, dbId);
    const polled = await sub.received.nextData();
    expect(polled.campaignEvents).toMatchObject({ sequence: 3, kind: 'CAMPAIGN_UPDATED' });
    expect(t.app.realtime.channelStats(dbId)).toMatchObject({ fromLog: 3, fromBus: 0 });
    expect(sub.received.unread).toBe(0);
    sub.dispose();
    await hubDrained();
  });

  it('refuses another organisation’s campaign and unknown ids with NotFound, leaking nothing', async () => {
    const { id } = await makeCampaignWithCalls(t, org, 1);
    const other = await t.makeOrg();
    const client = makeWsClient(server.url, other.key, leftovers);
    for (const campaignId of [id, 'Q2FtcGFpZ246bm9wZQ==', 'not-an-id']) {
      const sub = subscribeWs(client, CampaignEventsDocument, { campaignId, after: 0 }, leftovers);
      const result = await sub.received.next();
      expect(result.data ?? null).toBeNull();
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: 'NotFound: no campaign with this id in your organisation',
          extensions: expect.objectContaining({ code: 'NOT_FOUND' }),
        }),
      ]);
      await sub.received.until(() => sub.received.completed);
    }
    expect(t.app.realtime.stats().channels).toBe(0);
  });
});

describe('campaignEvents over SSE', () => {
  it('streams the same events through Yoga (yoga.fetch) and a real HTTP request', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 2);
    const viaYoga = await subscribeSse(
      (input, init) => Promise.resolve(t.yoga.fetch(input, init)),
      'http://callboard.test/graphql',
      org.key,
      CampaignEventsDocument,
      { campaignId: id, after: 0 },
      leftovers,
    );
    const viaHttp = await subscribeSse(fetch, server.url, org.key, CampaignEventsDocument, { campaignId: id, after: 0 }, leftovers);
    expect(viaHttp.response.headers.get('content-type')).toContain('text/event-stream');
    await subscribersReady(t.app, dbId, 2);
    await org.exec(StartCampaignDocument, { input: { id } });
    await transitionCall(t.app, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    for (const sub of [viaYoga, viaHttp]) {
      const got = await sub.received.take(2);
      expect(got.map((e) => [e.campaignEvents.sequence, e.campaignEvents.kind])).toEqual([
        [1, 'CAMPAIGN_START'],
        [2, 'CALL_UPDATED'],
      ]);
      sub.dispose();
    }
    await hubDrained();
  });

  it('answers an unauthenticated SSE request with 401', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { campaignEvents(campaignId: "x") { sequence } }' }),
    });
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });
});
