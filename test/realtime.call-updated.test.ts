import { beforeAll, describe, expect, it } from 'vitest';
import { POLL_SQL_TAG } from '../src/db/sql-literals.ts';
import { encodeId } from '../src/schema/common/ids.ts';
import type { RunningServer } from '../src/server.ts';
import { CallUpdatedDocument, PauseCampaignDocument, StartCampaignDocument } from './generated/operations.ts';
import type { TestApp, TestOrg } from './helpers/app.ts';
import { eventually, useLiveServer, makeCampaignWithCalls, makeWsClient, subscribersReady, subscribeWs, transitionCall } from './helpers/subscriptions.ts';

const live = useLiveServer();
const { leftovers } = live;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;
beforeAll(() => ({ t, org, server } = live));

const hubDrained = () => eventually(() => t.app.realtime.stats().channels === 0, undefined, 'subscriptions to end');

describe('callUpdated', () => {
  it('streams every call change in order, and only the wanted statuses when filtered', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 3);
    const [c0, c1, c2] = callIds.map((callId) => callId!);
    await org.exec(StartCampaignDocument, { input: { id } });
    const client = makeWsClient(server.url, org.key, leftovers);
    const all = subscribeWs(client, CallUpdatedDocument, { campaignId: id }, leftovers);
    const results = subscribeWs(client, CallUpdatedDocument, { campaignId: id, statuses: ['COMPLETED', 'FAILED'] }, leftovers);
    await subscribersReady(t.app, dbId, 2);

    const steps = [
      [c0, { status: 'IN_PROGRESS', attemptCount: 1 }],
      [c0, { status: 'COMPLETED', outcome: 'ANSWERED', connected: true, durationSeconds: 30 }],
      [c1, { status: 'IN_PROGRESS', attemptCount: 1 }],
      [c1, { status: 'RETRY_SCHEDULED', outcome: 'BUSY' }],
      [c1, { status: 'IN_PROGRESS', attemptCount: 2 }],
      [c1, { status: 'FAILED', outcome: 'NO_ANSWER' }],
      [c2, { status: 'IN_PROGRESS', attemptCount: 1 }],
    ] as const;
    // Paced: each change is read by the dashboard before the next one is made, so each payload
    // shows exactly that change. (A subscriber that falls behind gets the call as it is when it
    // catches up — never an older state — and still one payload per change, in order.)
    for (const [callId, data] of steps) {
      await transitionCall(t.app, callId, data);
      const got = await all.received.nextData();
      expect([got.callUpdated.id, got.callUpdated.status]).toEqual([encodeId('Call', callId), data.status]);
      // A campaign-level event in the middle: not a call change, never on callUpdated.
      if (callId === c1 && data.status === 'RETRY_SCHEDULED') await org.exec(PauseCampaignDocument, { input: { id } });
    }
    // Sentinel: the last change, so anything wrongly let through would arrive before it.
    await transitionCall(t.app, c2, { status: 'COMPLETED', outcome: 'MEETING_BOOKED', connected: true, durationSeconds: 60 });
    expect((await all.received.nextData()).callUpdated).toMatchObject({ id: encodeId('Call', c2), status: 'COMPLETED' });

    const finished = await results.received.take(3);
    expect(finished.map((r) => [r.callUpdated.id, r.callUpdated.status, r.callUpdated.outcome])).toEqual([
      [encodeId('Call', c0), 'COMPLETED', 'ANSWERED'],
      [encodeId('Call', c1), 'FAILED', 'NO_ANSWER'],
      [encodeId('Call', c2), 'COMPLETED', 'MEETING_BOOKED'],
    ]);
    expect(finished[2]!.callUpdated).toMatchObject({ attemptCount: 1, durationSeconds: 60 });
    expect(all.received.unread + results.received.unread).toBe(0);
    all.dispose();
    results.dispose();
    await hubDrained();
  });

  it('filters by status from the event alone: changes it drops cost no database read', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 6);
    await org.exec(StartCampaignDocument, { input: { id } });
    const client = makeWsClient(server.url, org.key, leftovers);
    const sub = subscribeWs(client, CallUpdatedDocument, { campaignId: id, statuses: ['SKIPPED'] }, leftovers);
    await subscribersReady(t.app, dbId, 1);

    const callReads: string[] = [];
    t.app.db.onQuery((sql) => {
      if (/^\s*SELECT/i.test(sql) && sql.includes('"public"."call"') && !sql.includes(POLL_SQL_TAG)) callReads.push(sql);
    });
    try {
      for (const callId of callIds.slice(0, 5)) await transitionCall(t.app, callId, { status: 'IN_PROGRESS', attemptCount: 1 });
      await transitionCall(t.app, callIds[5]!, { status: 'SKIPPED', outcome: 'DO_NOT_CALL' });
      const only = await sub.received.nextData();
      expect(only.callUpdated).toMatchObject({ id: encodeId('Call', callIds[5]!), status: 'SKIPPED', outcome: 'DO_NOT_CALL' });
    } finally {
      t.app.db.onQuery(null);
    }
    // Five changes dropped without reading; the one delivered read its call once.
    expect(callReads).toHaveLength(1);
    sub.dispose();
    await hubDrained();
  });

  it('refuses another organisation’s campaign', async () => {
    const { id } = await makeCampaignWithCalls(t, org, 1);
    const other = await t.makeOrg();
    const sub = subscribeWs(makeWsClient(server.url, other.key, leftovers), CallUpdatedDocument, { campaignId: id }, leftovers);
    const result = await sub.received.next();
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
