/**
 * The SQL statements each read of `npm run bench` sends (bench/reads.ts), pinned: the fast paths
 * are the API key remembered after its first use (auth/key-cache.ts), a call read by id in one
 * statement, stats read from the counters (the campaign, then its counter rows), and the calls pages of any number of campaigns
 * — also page 1000 through a keyset cursor — in one statement plus their rows. A change that adds
 * a round trip to any of them fails here, not only in a benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLL_SQL_TAG } from '../src/db/sql-literals.ts';
import { encodeCursor } from '../src/schema/call/call-page.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addContactsOk, usNumbers } from './helpers/calls.ts';
import { dbIdOf, makeCampaign } from './helpers/campaigns.ts';

/**
 * stats: the campaign, its counter rows. nested: the campaigns page, every campaign's calls page
 * (one LATERAL statement), the call rows. page: the campaign, its calls page, the call rows.
 */
const COUNTS = { stats: 2, nested: 3, page: 3 };

let t: TestApp;
let org: TestOrg;
const campaigns: string[] = [];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  for (let i = 0; i < 10; i++) {
    const { id } = await makeCampaign(org, `Campaign ${i}`);
    await addContactsOk(org, { campaignId: id, contacts: usNumbers(45, i * 100).map((phoneNumber, j) => ({ phoneNumber, name: `C${i}.${j}` })) });
    campaigns.push(id);
  }
});
afterAll(() => t.close());

/** The statements of one GraphQL request (the timers' tagged polls are not the request's). */
async function statementsOf(query: string, variables: Record<string, unknown> = {}) {
  const statements: string[] = [];
  t.app.db.onQuery((sql) => {
    if (!sql.includes(POLL_SQL_TAG)) statements.push(sql);
  });
  try {
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return { statements, data: body.data };
  } finally {
    t.app.db.onQuery(null);
  }
}

describe('statements per bench read (the key is remembered after its first use)', () => {
  it('call by id: one', async () => {
    const call = await t.app.db.prisma.call.findFirstOrThrow({ where: { campaignId: dbIdOf(campaigns[3]!) } });
    const id = Buffer.from(`Call:${call.id}`).toString('base64');
    const query = 'query($id:ID!){node(id:$id){...on Call{id name phoneNumber status outcome}}}';
    await statementsOf(query, { id });
    const { statements, data } = await statementsOf(query, { id });
    expect(data.node.phoneNumber).toBe(call.phoneNumber);
    expect(statements).toHaveLength(1);
  });

  it('per-status counts: two (the campaign, its counters)', async () => {
    const query = 'query($id:ID!){campaign(id:$id){stats{total pending inProgress retryScheduled completed failed skipped canceled}}}';
    const { statements, data } = await statementsOf(query, { id: campaigns[1] });
    expect(data.campaign.stats).toMatchObject({ total: 45, pending: 45 });
    expect(statements).toHaveLength(COUNTS.stats);
  });

  it('10 campaigns × 20 nested calls: the same few statements as for 1 campaign', async () => {
    const query = 'query($n:Int!){campaigns(first:$n){edges{node{name calls(first:20){edges{node{name status}}}}}}}';
    const one = await statementsOf(query, { n: 1 });
    const ten = await statementsOf(query, { n: 10 });
    expect(ten.data.campaigns.edges.flatMap((e: any) => e.node.calls.edges)).toHaveLength(200);
    expect(ten.statements).toHaveLength(one.statements.length);
    expect(ten.statements).toHaveLength(COUNTS.nested);
  });

  it('a deep page through a keyset cursor: as many as the first page', async () => {
    const query = 'query($id:ID!,$after:String){campaign(id:$id){calls(first:20,after:$after){edges{node{name status}}}}}';
    const rows = await t.app.db.prisma.$queryRawUnsafe<Array<{ id: string; v: string }>>(
      'SELECT id::text, created_at::text AS v FROM call WHERE campaign_id = $1::uuid ORDER BY created_at, id OFFSET 19 LIMIT 1',
      dbIdOf(campaigns[4]!),
    );
    const after = encodeCursor({ field: 'CREATED_AT', value: rows[0]!.v, id: rows[0]!.id });
    const first = await statementsOf(query, { id: campaigns[4] });
    const deep = await statementsOf(query, { id: campaigns[4], after });
    expect(deep.data.campaign.calls.edges).toHaveLength(20);
    expect(deep.data.campaign.calls.edges[0].node.name).toBe('C4.20');
    expect(deep.statements).toHaveLength(first.statements.length);
    expect(deep.statements).toHaveLength(COUNTS.page);
  });
});
