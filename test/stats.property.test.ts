import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CallOutcome, CallStatus } from '../src/db/generated/prisma/enums.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectExactStats, makeCampaign } from './helpers/campaigns.ts';
import { addContactsOk, expectApiStatsExact, usNumbers } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

const status = fc.constantFrom(...Object.values(CallStatus));
const outcome = fc.option(fc.constantFrom(...Object.values(CallOutcome)), { nil: null });
/** Which rows a statement touches: position % mod === rem (mod 1 = all of them). */
const subset = fc.record({ mod: fc.integer({ min: 1, max: 4 }), rem: fc.integer({ min: 0, max: 3 }) });
const fields = fc.record({
  status,
  outcome,
  attemptCount: fc.integer({ min: 0, max: 6 }),
  connected: fc.boolean(),
  durationSeconds: fc.integer({ min: 0, max: 600 }),
});

type Fields = typeof fields extends fc.Arbitrary<infer F> ? F : never;

type Command =
  | { kind: 'updateMany'; subset: { mod: number; rem: number }; data: Partial<Fields> }
  | { kind: 'sqlBump'; subset: { mod: number; rem: number }; attempts: number; seconds: number }
  | { kind: 'sqlFlip'; subset: { mod: number; rem: number } }
  | { kind: 'insert'; rows: Fields[] }
  | { kind: 'delete'; subset: { mod: number; rem: number } };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('updateMany' as const),
    subset,
    data: fields.chain((f) => fc.subarray(Object.keys(f)).map((keys) => Object.fromEntries(keys.map((k) => [k, f[k as keyof typeof f]])))),
  }),
  fc.record({ kind: fc.constant('sqlBump' as const), subset, attempts: fc.integer({ min: -1, max: 2 }), seconds: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ kind: fc.constant('sqlFlip' as const), subset }),
  fc.record({ kind: fc.constant('insert' as const), rows: fc.array(fields, { minLength: 1, maxLength: 5 }) }),
  fc.record({ kind: fc.constant('delete' as const), subset }),
);

async function apply(campaignId: string, c: Command) {
  const prisma = t.app.db.prisma;
  const where = async (s: { mod: number; rem: number }) => {
    const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text FROM "call" WHERE campaign_id = $1::uuid AND position % $2 = $3`,
      campaignId,
      s.mod,
      s.rem % s.mod,
    );
    return { id: { in: rows.map((r) => r.id) } };
  };
  switch (c.kind) {
    case 'updateMany':
      await prisma.call.updateMany({ where: await where(c.subset), data: c.data });
      return;
    case 'sqlBump':
      // Several counters move in one statement, including attempt_count crossing zero (dialed_calls).
      await prisma.$executeRawUnsafe(
        `UPDATE "call" SET attempt_count = greatest(attempt_count + $4, 0), duration_seconds = duration_seconds + $5
          WHERE campaign_id = $1::uuid AND position % $2 = $3`,
        campaignId,
        c.subset.mod,
        c.subset.rem % c.subset.mod,
        c.attempts,
        c.seconds,
      );
      return;
    case 'sqlFlip':
      // Rows swap groups in both directions within one statement.
      await prisma.$executeRawUnsafe(
        `UPDATE "call" SET status = CASE WHEN status = 'PENDING' THEN 'COMPLETED'::"CallStatus" ELSE 'PENDING'::"CallStatus" END,
                           outcome = CASE WHEN outcome IS NULL THEN 'ANSWERED'::"CallOutcome" END, connected = NOT connected
          WHERE campaign_id = $1::uuid AND position % $2 = $3`,
        campaignId,
        c.subset.mod,
        c.subset.rem % c.subset.mod,
      );
      return;
    case 'insert':
      await prisma.call.createMany({
        data: c.rows.map((r, i) => ({ ...r, campaignId, phoneNumber: `+1415556${String(i).padStart(4, '0')}`, position: 1000 + i })),
      });
      return;
    case 'delete':
      await prisma.call.deleteMany({ where: await where(c.subset) });
      return;
  }
}

describe('counters under random call-row changes', () => {
  it('equal a GROUP BY over the rows after every statement', async () => {
    const campaign = await makeCampaign(org, 'Property');
    await addContactsOk(org, { campaignId: campaign.id, contacts: usNumbers(12).map((phoneNumber) => ({ phoneNumber })) });
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        for (const c of commands) {
          await apply(campaign.dbId, c);
          await expectExactStats(t, campaign.dbId);
        }
        await expectApiStatsExact(t, org, campaign.id);
      }),
      { numRuns: 25 },
    );
  });
});
