/**
 * Row-lock conflicts between concurrent writers. PostgreSQL only: PGlite has a single connection,
 * so its transactions never wait on each other's row locks and can never deadlock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TX } from '../src/db/transactions.ts';
import { markAccepted } from '../src/dialer/sql/mark-accepted.ts';
import { withEvents } from '../src/realtime/event-log.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;
beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(async () => t?.close());

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe.runIf(process.env.DATABASE_URL)('on PostgreSQL, writers that conflict on row locks', () => {
  it('a transaction PostgreSQL picks as the deadlock victim is run again, so both writers succeed', async () => {
    const [a, b] = [await makeCampaign(org), await makeCampaign(org)];
    const lock = (tx: Parameters<Parameters<typeof withEvents>[2]>[0], id: string) => tx.$queryRaw`SELECT id FROM campaign WHERE id = ${id}::uuid FOR UPDATE`;
    const firstHeld = gate();
    const secondHeld = gate();
    let runs = 0;
    // Opposite lock orders, each waiting until the other holds its first row: a certain deadlock.
    const one = withEvents(t.app, TX.locked, async (tx) => {
      runs++;
      await lock(tx, a.dbId);
      firstHeld.open();
      await secondHeld.opened;
      await lock(tx, b.dbId);
      return 'one';
    });
    const two = withEvents(t.app, TX.locked, async (tx) => {
      runs++;
      await lock(tx, b.dbId);
      secondHeld.open();
      await firstHeld.opened;
      await lock(tx, a.dbId);
      return 'two';
    });
    expect(await Promise.all([one, two])).toEqual(['one', 'two']);
    expect(runs).toBe(3);
  });

  it('recording accepted dials never waits on an attempt row another transaction is ending', async () => {
    const campaign = await makeCampaign(org);
    const call = await t.app.db.prisma.call.create({
      data: { campaignId: campaign.dbId, name: 'A', phoneNumber: '+12025550101', status: 'IN_PROGRESS', position: 1, attemptCount: 1 },
    });
    const attempts = await Promise.all(
      [1, 2].map((number) => t.app.db.prisma.callAttempt.create({ data: { callId: call.id, campaignId: campaign.dbId, number, toNumber: call.phoneNumber } })),
    );
    const held = gate();
    const release = gate();
    // Stands for a result being applied to the first attempt (its row locked until commit).
    const holder = t.app.db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM call_attempt WHERE id = ${attempts[0]!.id}::uuid FOR UPDATE`;
      held.open();
      await release.opened;
    }, TX.locked);
    await held.opened;
    await markAccepted(
      t.app,
      attempts.map((a, i) => ({ attemptId: a.id, providerCallId: `p-${i}` })),
    );
    release.open();
    await holder;
    const rows = await t.app.db.prisma.callAttempt.findMany({ where: { callId: call.id }, orderBy: { number: 'asc' } });
    // The locked row is left to its holder (which is ending it); the other is recorded.
    expect(rows.map((r) => r.providerCallId)).toEqual([null, 'p-1']);
  });
});
