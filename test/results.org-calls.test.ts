import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergedPageStatement, planPage } from '../src/schema/call/call-page.ts';
import { DeleteCampaignDocument, OrgCallsDocument, type OrgCallsQuery, type OrgCallsQueryVariables } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;
let spring: { id: string; dbId: string };
let autumn: { id: string; dbId: string };

/** Calls of one campaign: `n` rows, processed an hour apart from `day`, every third FAILED. */
async function seed(campaignId: string, n: number, prefix: string, phone: (i: number) => string) {
  await t.app.db.prisma.call.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      campaignId,
      name: `${prefix} ${i}`,
      phoneNumber: phone(i),
      position: i,
      status: i % 3 === 0 ? ('FAILED' as const) : ('COMPLETED' as const),
      outcome: i % 3 === 0 ? ('NO_ANSWER' as const) : ('ANSWERED' as const),
      processedAt: new Date(Date.UTC(2026, 10, 29, i % 24)),
      createdAt: new Date(Date.UTC(2026, 10, 28, 0, 0, 0, i * 7 + prefix.length)),
    })),
  });
}

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  spring = await makeCampaign(org, 'Spring');
  autumn = await makeCampaign(org, 'Autumn');
  await seed(spring.dbId, 30, 'Spring', (i) => `+1415555${String(1000 + i)}`);
  await seed(autumn.dbId, 20, 'Autumn', (i) => `+8190555${String(51000 + i)}`);
  const stranger = await t.makeOrg();
  const theirs = await makeCampaign(stranger, 'Theirs');
  await seed(theirs.dbId, 10, 'Theirs', (i) => `+1415777${String(1000 + i)}`);
});
afterAll(() => t?.close());

async function all(variables: OrgCallsQueryVariables) {
  const names: string[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const result: OrgCallsQuery = await org.exec(OrgCallsDocument, { ...variables, first: 7, after });
    total = result.calls.totalCount;
    names.push(...result.calls.edges.map((e) => e.node.name));
    if (!result.calls.pageInfo.hasNextPage) break;
    after = result.calls.pageInfo.endCursor;
  }
  return { names, total };
}

describe('Query.calls (every campaign of the organisation)', () => {
  it('pages through the calls of all campaigns in one order, with totalCount, and none of another organisation', async () => {
    const { names, total } = await all({ orderBy: { field: 'CREATED_AT', direction: 'ASC' } });
    expect(total).toBe(50);
    expect(names).toHaveLength(50);
    expect(new Set(names).size).toBe(50);
    expect(names.some((n) => n.startsWith('Theirs'))).toBe(false);
    const rows = await t.app.db.prisma.call.findMany({
      where: { campaignId: { in: [spring.dbId, autumn.dbId] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    expect(names).toEqual(rows.map((r) => r.name));
  });

  it('filters by campaigns, statuses, outcomes, processed range and a number however it is typed', async () => {
    const failed = await all({ filter: { statuses: ['FAILED'] } });
    expect(failed.total).toBe(10 + 7);
    expect(failed.names).toHaveLength(17);
    const autumnOnly = await all({ filter: { campaignIds: [autumn.id], outcomes: ['ANSWERED'] } });
    expect(autumnOnly.total).toBe(13);
    expect(autumnOnly.names.every((n) => n.startsWith('Autumn'))).toBe(true);
    const morning = await all({ filter: { processedAfter: '2026-11-29T00:00:00Z', processedBefore: '2026-11-29T03:00:00Z' } });
    // Processed at hours 0, 1 and 2: Spring calls 0–2 and 24–26 (hour = i mod 24), Autumn calls 0–2.
    expect(morning.total).toBe(6 + 3);
    expect(morning.names).toHaveLength(9);
    const typed = await all({ filter: { search: '090 5555 1003' } });
    expect(typed.names).toEqual(['Autumn 3']);
    const international = await all({ filter: { search: '+81 90 5555 1003' } });
    expect(international.names).toEqual(['Autumn 3']);
  });

  it('pages backwards (last/before) to the same rows, and leaves out deleted campaigns', async () => {
    const forward = await org.exec(OrgCallsDocument, { first: 10, orderBy: { field: 'NAME', direction: 'DESC' } });
    const back = await org.exec(OrgCallsDocument, { last: 5, before: forward.calls.pageInfo.endCursor, orderBy: { field: 'NAME', direction: 'DESC' } });
    expect(back.calls.edges.map((e) => e.node.name)).toEqual(forward.calls.edges.slice(4, 9).map((e) => e.node.name));
    const gone = await makeCampaign(org, 'Deleted');
    await seed(gone.dbId, 3, 'Deleted', (i) => `+1415666${String(1000 + i)}`);
    expect((await org.exec(OrgCallsDocument, { first: 1 })).calls.totalCount).toBe(53);
    await org.exec(DeleteCampaignDocument, { input: { id: gone.id } });
    expect((await org.exec(OrgCallsDocument, { first: 1 })).calls.totalCount).toBe(50);
    expect((await org.exec(OrgCallsDocument, { first: 1, filter: { campaignIds: ['nonsense'] } })).calls.totalCount).toBe(0);
  });
});

describe.runIf(process.env.DATABASE_URL)('Query.calls on PostgreSQL at scale', () => {
  it('reads a page through the call indexes, never a sequential scan of the call table (100k rows)', async () => {
    const big = await makeCampaign(org, 'Big');
    await t.app.db.prisma.$executeRaw`
      INSERT INTO "call" (id, campaign_id, name, phone_number, position, status, outcome, processed_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${big.dbId}::uuid, 'Big ' || i, '+1212' || lpad(i::text, 7, '0'), i,
             'COMPLETED', 'ANSWERED', '2026-11-01'::timestamptz + i * interval '1 second', now(), now()
        FROM generate_series(1, 100000) AS i`;
    await t.app.db.prisma.$executeRawUnsafe('ANALYZE "call"');
    const ids = (await t.app.db.prisma.campaign.findMany({ where: { organizationId: org.orgId, deletedAt: null }, select: { id: true } })).map((c) => c.id);
    for (const orderBy of [
      { field: 'CREATED_AT', direction: 'ASC' },
      { field: 'PROCESSED_AT', direction: 'DESC' },
      { field: 'NAME', direction: 'ASC' },
    ] as const) {
      const statement = mergedPageStatement(planPage({ first: 20, orderBy }), { processedAfter: new Date('2026-11-01T10:00:00Z') }, ids);
      const plan = await t.app.db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${statement.sql}`, ...statement.params);
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).not.toMatch(/Seq Scan on call\b/);
      expect(text).toMatch(/Index (Only )?Scan/);
    }
  }, 60_000);
});
