import { beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, publishEvents } from '../src/realtime/event-log.ts';
import type { RunningServer } from '../src/server.ts';
import {
  CampaignUpdatedDocument,
  PauseCampaignDocument,
  RealtimeCampaignStatsDocument,
  StartCampaignDocument,
  UpdateCampaignDocument,
} from './generated/operations.ts';
import type { TestApp, TestOrg } from './helpers/app.ts';
import { eventually, useLiveServer, makeCampaignWithCalls, makeWsClient, subscribersReady, subscribeWs, transitionCall } from './helpers/subscriptions.ts';

const live = useLiveServer();
const { leftovers } = live;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;
beforeAll(() => ({ t, org, server } = live));

async function statsNow(id: string) {
  return (await org.exec(RealtimeCampaignStatsDocument, { id })).campaign!.stats;
}

describe('campaignUpdated', () => {
  it('pushes status and settings changes at once and coalesces call bursts, ending on the final stats', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 60);
    const client = makeWsClient(server.url, org.key, leftovers);
    const sub = subscribeWs(client, CampaignUpdatedDocument, { id }, leftovers);
    await subscribersReady(t.app, dbId, 1);

    await org.exec(StartCampaignDocument, { input: { id } });
    expect((await sub.received.nextData()).campaignUpdated).toMatchObject({ id, status: 'RUNNING', stats: { pending: 60 } });

    // Burst 1: 30 calls finish in one transaction (30 events published together): one or two
    // payloads (leading and trailing edge), the last with every change.
    const burst = await t.app.db.prisma.$transaction(async (tx) => {
      const events = [];
      for (const callId of callIds.slice(0, 30)) {
        const call = await tx.call.update({ where: { id: callId }, data: { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 } });
        events.push(await appendEvent(tx, dbId, 'CALL_UPDATED', { id: call.id, status: call.status }));
      }
      return events;
    });
    publishEvents(t.app.pubsub, burst);
    const final1 = await statsNow(id);
    const burst1 = await sub.received.readUntil((d) => d.campaignUpdated.stats.completed === 30);

    // Burst 2: 30 separate transactions, published one by one as a dialer would.
    const started = Date.now();
    for (const callId of callIds.slice(30)) await transitionCall(t.app, callId, { status: 'FAILED', outcome: 'BUSY', attemptCount: 1 });
    const elapsed = Date.now() - started;
    const final2 = await statsNow(id);
    const burst2 = await sub.received.readUntil((d) => d.campaignUpdated.stats.failed === 30);

    // A status change right after: delivered at once, and it carries the final stats too.
    await org.exec(PauseCampaignDocument, { input: { id } });
    const afterBursts = await sub.received.readUntil((d) => d.campaignUpdated.status === 'PAUSED');
    const paused = afterBursts.at(-1)!.campaignUpdated;
    expect(paused.stats).toEqual(final2);
    // Whatever came between burst 2's last payload and the pause was a trailing duplicate.
    for (const extra of afterBursts.slice(0, -1)) expect(extra.campaignUpdated.stats).toEqual(final2);

    // The 30 changes of burst 1 committed together: the first payload after them has them all.
    expect(burst1).toHaveLength(1);
    expect(burst1[0]!.campaignUpdated.stats).toEqual(final1);
    // At most one payload per coalescing window (250 ms) plus the edges — far fewer than 30.
    const payloads2 = burst2.length;
    const { coalesceMs } = t.app.realtime.options;
    expect(payloads2).toBeLessThanOrEqual(Math.ceil(elapsed / coalesceMs) + 3);
    expect(payloads2).toBeLessThan(30);
    expect(burst2.at(-1)!.campaignUpdated.stats).toEqual(final2);
    expect(final2).toMatchObject({ total: 60, completed: 30, failed: 30, pending: 0 });

    // Settings changes are immediate too.
    await org.exec(UpdateCampaignDocument, { input: { id, settings: { maxConcurrentCalls: 7 } } });
    const updated = (await sub.received.nextData()).campaignUpdated;
    expect(updated).toMatchObject({ status: 'PAUSED', settings: { maxConcurrentCalls: 7 }, stats: final2 });
    expect(sub.received.unread).toBe(0);
    sub.dispose();
    await eventually(() => t.app.realtime.stats().channels === 0, undefined, 'subscriptions to end');
  });

  it('shares coalesced payloads among subscribers and refuses other organisations', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 3);
    await org.exec(StartCampaignDocument, { input: { id } });
    const client = makeWsClient(server.url, org.key, leftovers);
    const subs = [0, 1, 2, 3].map(() => subscribeWs(client, CampaignUpdatedDocument, { id }, leftovers));
    await subscribersReady(t.app, dbId, 4);
    for (const callId of callIds) await transitionCall(t.app, callId, { status: 'COMPLETED', outcome: 'LEFT_MESSAGE', attemptCount: 1 });
    for (const sub of subs) {
      const got = await sub.received.readUntil((d) => d.campaignUpdated.stats.completed === 3);
      expect(got.at(-1)!.campaignUpdated.stats).toMatchObject({ completed: 3, pending: 0 });
      sub.dispose();
    }

    const other = await t.makeOrg();
    const denied = subscribeWs(makeWsClient(server.url, other.key, leftovers), CampaignUpdatedDocument, { id }, leftovers);
    const result = await denied.received.next();
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ message: 'NotFound: no campaign with this id in your organisation' });
  });
});
