import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignStreamHub } from '../src/realtime/hub.ts';
import type { StreamEvent } from '../src/realtime/event-log.ts';
import { publishEvents } from '../src/realtime/event-log.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { DEADLINE_MS, eventually, makeCampaignWithCalls, probeBus, transitionCall } from './helpers/subscriptions.ts';

/** The hub without GraphQL: ordering, bounded memory and clean shutdown of its iterators. */
let t: TestApp;
let org: TestOrg;
const hubs: CampaignStreamHub[] = [];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});

afterAll(async () => {
  for (const hub of hubs) hub.close();
  await t?.close();
});

function makeHub(options: ConstructorParameters<typeof CampaignStreamHub>[3] = {}) {
  const hub = new CampaignStreamHub(t.app.db, t.app.pubsub, t.app.logger, options);
  hubs.push(hub);
  return hub;
}

async function read(iterator: AsyncIterator<StreamEvent>, count: number): Promise<number[]> {
  const out: number[] = [];
  const deadline = Date.now() + DEADLINE_MS;
  while (out.length < count) {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in time')), Math.max(1, deadline - Date.now())).unref());
    const next = await Promise.race([iterator.next(), timeout]);
    if (next.done) throw new Error('stream ended');
    out.push(next.value.sequence);
  }
  return out;
}

describe('campaign stream hub', () => {
  it('delivers publishes that arrive out of order in sequence order, once each', async () => {
    const { dbId, callIds } = await makeCampaignWithCalls(t, org, 3);
    const hub = makeHub();
    const events = hub.events(dbId, null);
    const first = events.next(); // starts the subscription
    await eventually(() => hub.channelStats(dbId)?.started === 1);
    await probeBus(hub, t.app.pubsub, dbId);
    const written = [];
    for (const callId of callIds) written.push(await transitionCall(t.app, callId, { status: 'IN_PROGRESS' }, { publish: false }));
    // Commit order 1, 2, 3; the bus brings 3, 1, 2 (and 1 twice).
    publishEvents(t.app.pubsub, [written[2]!, written[0]!, written[1]!, written[0]!]);
    expect((await first).value?.sequence).toBe(1);
    expect(await read(events, 2)).toEqual([2, 3]);
    // Each delivered once, whether a message or the gap fill got there first; the late 1 dropped.
    const stats = hub.channelStats(dbId)!;
    expect(stats.head).toBe(3);
    expect(stats.fromBus + stats.fromLog).toBe(3);
    await events.return!();
    expect(hub.stats()).toEqual({ channels: 0, subscribers: 0 });
  });

  it('a consumer that falls behind more than maxQueue catches up from the log, in order', async () => {
    const { dbId, callIds } = await makeCampaignWithCalls(t, org, 12);
    const hub = makeHub({ maxQueue: 3 });
    const events = hub.events(dbId, 0);
    const first = events.next();
    await eventually(() => hub.channelStats(dbId)?.started === 1);
    await probeBus(hub, t.app.pubsub, dbId);
    for (const callId of callIds) await transitionCall(t.app, callId, { status: 'IN_PROGRESS' });
    await eventually(() => hub.channelStats(dbId)?.head === 12);
    // The channel got all 12 over the bus; the subscriber's queue overflowed and it read the log.
    expect(hub.channelStats(dbId)).toMatchObject({ fromBus: 12, fromLog: 0 });
    expect((await first).value?.sequence).toBe(1);
    expect(await read(events, 11)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await events.return!();
  });

  it('return() ends a pending next() and releases the channel', async () => {
    const { dbId } = await makeCampaignWithCalls(t, org, 1);
    const hub = makeHub();
    const events = hub.events(dbId, null);
    const updates = hub.updates(dbId);
    const pending = [events.next(), updates.next()];
    await eventually(() => hub.channelStats(dbId)?.started === 2);
    await events.return!();
    await updates.return!();
    expect(await Promise.all(pending)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    expect(hub.stats()).toEqual({ channels: 0, subscribers: 0 });
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });
});
