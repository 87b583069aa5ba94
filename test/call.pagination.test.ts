import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome, CallStatus } from '../src/db/generated/prisma/client.ts';
import { CampaignCallsDocument, type CallOrderField, type CampaignCallsQuery, type OrderDirection } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';
import { addContactsOk, callDbId, usNumbers } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;
let campaign: { id: string; dbId: string };

const FIELDS: CallOrderField[] = ['STATUS', 'NAME', 'PHONE', 'PROCESSED_AT', 'OUTCOME', 'CREATED_AT'];
const COLUMN = {
  STATUS: 'status',
  NAME: 'name',
  PHONE: 'phoneNumber',
  PROCESSED_AT: 'processedAt',
  OUTCOME: 'outcome',
  CREATED_AT: 'createdAt',
} as const;
const STATUSES: CallStatus[] = ['PENDING', 'COMPLETED', 'FAILED', 'SKIPPED', 'CANCELED'];
const OUTCOMES: (CallOutcome | null)[] = [null, 'ANSWERED', 'NO_ANSWER', 'BUSY', null];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  campaign = await makeCampaign(org);
  // 30 calls with many ties on every sort key (names repeat, statuses and outcomes repeat, a third
  // have no processedAt, pairs share a processedAt, two uploads share a createdAt), so only the id
  // tie-breaker makes the order total.
  await addContactsOk(org, { campaignId: campaign.id, contacts: usNumbers(15).map((phoneNumber, i) => ({ phoneNumber, name: `Name ${i % 4}` })) });
  await addContactsOk(org, {
    campaignId: campaign.id,
    contacts: usNumbers(15, 500)
      .reverse()
      .map((phoneNumber, i) => ({ phoneNumber, name: `name ${i % 3}` })),
  });
  const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId }, orderBy: { position: 'asc' } });
  const base = Date.parse('2026-11-01T10:00:00.000Z');
  for (const [i, call] of calls.entries()) {
    await t.app.db.prisma.call.update({
      where: { id: call.id },
      data: {
        status: STATUSES[i % STATUSES.length],
        outcome: OUTCOMES[i % OUTCOMES.length],
        processedAt: i % 3 === 0 ? null : new Date(base + Math.floor(i / 2) * 60_000),
      },
    });
  }
});
afterAll(() => t.close());

/** The full order as the database sorts it (PostgreSQL's NULLS LAST ascending / FIRST descending). */
async function expectedOrder(field: CallOrderField, direction: OrderDirection, where = {}) {
  const dir = direction === 'ASC' ? 'asc' : 'desc';
  const rows = await t.app.db.prisma.call.findMany({
    where: { campaignId: campaign.dbId, ...where },
    orderBy: [{ [COLUMN[field]]: dir }, { id: dir }],
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

async function pageThrough(orderBy: { field: CallOrderField; direction: OrderDirection }, backward: boolean, extra: Record<string, unknown> = {}) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const vars: Record<string, unknown> = backward ? { last: 4, before: cursor } : { first: 4, after: cursor };
    const result: CampaignCallsQuery = await org.exec(CampaignCallsDocument, { id: campaign.id, orderBy, ...vars, ...extra });
    const page = result.campaign!.calls;
    const pageIds = page.edges.map((e) => callDbId(e.node.id));
    expect(page.edges.length).toBeLessThanOrEqual(4);
    if (backward) ids.unshift(...pageIds);
    else ids.push(...pageIds);
    const more = backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more) return { ids, totalCount: page.totalCount };
    expect(page.edges.length).toBe(4);
    cursor = backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

describe('Campaign.calls cursor pagination', () => {
  for (const field of FIELDS) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`pages through ${field} ${direction} forward and backward without gaps or duplicates`, async () => {
        const expected = await expectedOrder(field, direction);
        expect(expected).toHaveLength(30);
        const forward = await pageThrough({ field, direction }, false);
        expect(forward.ids).toEqual(expected);
        expect(forward.totalCount).toBe(30);
        const backward = await pageThrough({ field, direction }, true);
        expect(backward.ids).toEqual(expected);
      });
    }
  }

  it('pages through a filtered list, with totalCount from the counters and from rows', async () => {
    const filter = { statuses: ['COMPLETED', 'FAILED'] as CallStatus[] };
    const expected = await expectedOrder('NAME', 'ASC', { status: { in: filter.statuses } });
    const paged = await pageThrough({ field: 'NAME', direction: 'ASC' }, false, { filter });
    expect(paged).toEqual({ ids: expected, totalCount: expected.length });

    const searched = await pageThrough({ field: 'PROCESSED_AT', direction: 'DESC' }, true, { filter: { search: 'NAME 1' } });
    const bySearch = await expectedOrder('PROCESSED_AT', 'DESC', { name: { contains: 'name 1', mode: 'insensitive' } });
    expect(searched).toEqual({ ids: bySearch, totalCount: bySearch.length });
  });

  it('defaults to CREATED_AT ASC, which is upload order', async () => {
    const { campaign: c } = await org.exec(CampaignCallsDocument, { id: campaign.id, first: 100 });
    expect(c!.calls.edges.map((e) => e.node.position)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(c!.calls.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('refuses a cursor of another order or a forged one with a GraphQL error', async () => {
    const { campaign: c } = await org.exec(CampaignCallsDocument, { id: campaign.id, first: 2, orderBy: { field: 'NAME', direction: 'ASC' } });
    const cursor = c!.calls.pageInfo.endCursor!;
    const wrongOrder = await org.execRaw(CampaignCallsDocument, { id: campaign.id, first: 2, after: cursor, orderBy: { field: 'PHONE', direction: 'ASC' } });
    expect(wrongOrder.errors?.[0]?.message).toMatch(/issued for order NAME/);
    const forged = await org.execRaw(CampaignCallsDocument, { id: campaign.id, first: 2, after: 'bm9wZQ' });
    expect(forged.errors?.[0]?.message).toMatch(/not a cursor/);
    const negative = await org.execRaw(CampaignCallsDocument, { id: campaign.id, first: -1 });
    expect(negative.errors?.[0]?.message).toMatch(/non-negative/);
  });
});
