import { beforeAll, describe, expect, it } from 'vitest';
import { POLL_SQL_TAG } from '../src/db/sql-literals.ts';
import type { RunningServer } from '../src/server.ts';
import { CallUpdatedDocument, DashboardEventsDocument, StartCampaignDocument } from './generated/operations.ts';
import type { TestApp, TestOrg } from './helpers/app.ts';
import { eventually, useLiveServer, makeCampaignWithCalls, makeWsClient, subscribersReady, subscribeWs, transitionCall } from './helpers/subscriptions.ts';

const live = useLiveServer();
const { leftovers } = live;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;
beforeAll(() => ({ t, org, server } = live));

const EVENTS = 8;

/**
 * N dashboards watch one campaign while EVENTS call changes happen; returns every SQL statement
 * sent meanwhile (the writes included: they are the same in every run). Each change waits until
 * every subscriber received the previous one, so each event is resolved exactly once per process
 * and the counts are deterministic.
 */
async function statementsWith(subscribers: number) {
  const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, EVENTS + 1);
  await org.exec(StartCampaignDocument, { input: { id } });
  const client = makeWsClient(server.url, org.key, leftovers);
  // Each subscriber runs a dashboard's two subscriptions: the event log with the campaign (stats)
  // and the call (nested relations: attempts, call.campaign), and the call stream.
  const subs = Array.from({ length: subscribers }, () => ({
    events: subscribeWs(client, DashboardEventsDocument, { campaignId: id }, leftovers),
    calls: subscribeWs(client, CallUpdatedDocument, { campaignId: id }, leftovers),
  }));
  await subscribersReady(t.app, dbId, 2 * subscribers);
  // Warm-up: the first event of a subscription plans its query; not part of the steady state.
  await transitionCall(t.app, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 });
  for (const sub of subs) await Promise.all([sub.events.received.nextData(), sub.calls.received.nextData()]);

  const statements: string[] = [];
  // The idle poll is per process and per second, not per event: left out of the count.
  t.app.db.onQuery((sql) => {
    if (!sql.includes(POLL_SQL_TAG)) statements.push(sql);
  });
  try {
    for (const callId of callIds.slice(1)) {
      await transitionCall(t.app, callId, { status: 'IN_PROGRESS', attemptCount: 1 });
      for (const sub of subs) {
        const [event, call] = await Promise.all([sub.events.received.nextData(), sub.calls.received.nextData()]);
        expect(event.campaignEvents).toMatchObject({
          kind: 'CALL_UPDATED',
          campaign: { id, status: 'RUNNING' },
          call: { status: 'IN_PROGRESS', attempts: [], campaign: { id } },
        });
        expect(call.callUpdated).toMatchObject({ id: event.campaignEvents.call!.id, status: 'IN_PROGRESS' });
      }
    }
  } finally {
    t.app.db.onQuery(null);
  }
  // Every subscriber saw the same final stats, read once.
  const finals = subs.map((s) => s.events.received.results.at(-1)!.data!.campaignEvents.campaign.stats);
  for (const stats of finals) expect(stats).toMatchObject({ total: EVENTS + 1, inProgress: EVENTS + 1, pending: 0 });
  for (const sub of subs) {
    sub.events.dispose();
    sub.calls.dispose();
  }
  await eventually(() => t.app.realtime.stats().channels === 0, undefined, 'subscriptions to end');
  return statements;
}

/** Statements that are not the test's own writes (transitionCall: one transaction per event). */
const reads = (statements: string[]) => statements.filter((s) => /^\s*SELECT/i.test(s) && !/FOR UPDATE/i.test(s));

describe('fan-out', () => {
  it('reads the database once per event, however many subscribers (N=20 costs what N=1 costs)', async () => {
    const one = await statementsWith(1);
    const twenty = await statementsWith(20);
    expect(twenty.length).toBe(one.length);
    expect(reads(twenty).length).toBe(reads(one).length);
    // Per event a small constant: the campaign row, its tally rows, the call row (+ its attempts
    // and campaign, for the nested selection), and the call row for callUpdated's selection.
    expect(reads(twenty).length).toBeGreaterThan(0);
    expect(reads(twenty).length).toBeLessThanOrEqual(6 * EVENTS);
  });
});
