import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../src/domain/lifecycle.ts';
import { CampaignsDocument, type CampaignFilter, type CampaignOrder, type CampaignOrderField, type OrderDirection } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;

interface Row {
  id: string;
  name: string;
  status: CampaignStatus;
  createdAt: Date;
  updatedAt: Date;
  deleted: boolean;
}
const rows: Row[] = [];

const at = (minute: number) => new Date(Date.UTC(2024, 4, 1, 12, minute));

/**
 * Eight campaigns with ties on every sort key (two "Echo", two RUNNING, two created at the same
 * instant) so the id tie-break is exercised; one is soft-deleted.
 */
const FIXTURE: Omit<Row, 'id'>[] = [
  { name: 'Alpha renewals', status: 'DRAFT', createdAt: at(1), updatedAt: at(40), deleted: false },
  { name: 'Bravo winback', status: 'RUNNING', createdAt: at(2), updatedAt: at(35), deleted: false },
  { name: 'Charlie survey', status: 'PAUSED', createdAt: at(3), updatedAt: at(50), deleted: false },
  { name: 'Delta renewals', status: 'COMPLETED', createdAt: at(4), updatedAt: at(31), deleted: false },
  { name: 'Echo', status: 'CANCELED', createdAt: at(5), updatedAt: at(33), deleted: false },
  { name: 'Echo', status: 'SCHEDULED', createdAt: at(5), updatedAt: at(33), deleted: false },
  { name: 'Foxtrot renewals', status: 'RUNNING', createdAt: at(7), updatedAt: at(60), deleted: true },
  { name: 'Golf', status: 'RUNNING', createdAt: at(8), updatedAt: at(32), deleted: false },
];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  for (const f of FIXTURE) {
    const c = await makeCampaign(org, f.name);
    await t.app.db.prisma.$executeRaw`
      UPDATE campaign SET status = ${f.status}::"CampaignStatus", created_at = ${f.createdAt}, updated_at = ${f.updatedAt},
             deleted_at = ${f.deleted ? at(70) : null}
       WHERE id = ${c.dbId}::uuid`;
    rows.push({ ...f, id: c.id });
  }
  // Noise from another organisation that must never show up.
  const other = await t.makeOrg();
  await makeCampaign(other, 'Alpha renewals');
});
afterAll(() => t.close());

/** Declaration order of the CampaignStatus enum: how PostgreSQL sorts enum values. */
const STATUS_RANK: Record<CampaignStatus, number> = { DRAFT: 0, SCHEDULED: 1, RUNNING: 2, PAUSED: 3, COMPLETED: 4, CANCELED: 5 };
const KEY: Record<CampaignOrderField, (r: Row) => number | string> = {
  CREATED_AT: (r) => r.createdAt.getTime(),
  UPDATED_AT: (r) => r.updatedAt.getTime(),
  NAME: (r) => r.name,
  STATUS: (r) => STATUS_RANK[r.status],
};

/** The order the API must return: key, then id as tie-break, both in the same direction. */
function expected(order: CampaignOrder, filter: (r: Row) => boolean = (r) => !r.deleted): string[] {
  const sign = order.direction === 'ASC' ? 1 : -1;
  const idOf = (r: Row) => Buffer.from(r.id, 'base64').toString().split(':')[1]!;
  const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .filter(filter)
    .sort((a, b) => sign * (cmp(KEY[order.field](a), KEY[order.field](b)) || cmp(idOf(a), idOf(b))))
    .map((r) => r.id);
}

async function page(vars: { first?: number; after?: string; last?: number; before?: string; filter?: CampaignFilter; orderBy?: CampaignOrder }) {
  return (await org.exec(CampaignsDocument, vars)).campaigns;
}

const ORDERS: CampaignOrder[] = (['CREATED_AT', 'UPDATED_AT', 'NAME', 'STATUS'] as const).flatMap((field) =>
  (['ASC', 'DESC'] as OrderDirection[]).map((direction) => ({ field, direction })),
);

describe('campaigns: order and cursor pagination', () => {
  it('defaults to newest first (CREATED_AT DESC) without deleted campaigns', async () => {
    const all = await page({ first: 50 });
    expect(all.edges.map((e) => e.node.id)).toEqual(expected({ field: 'CREATED_AT', direction: 'DESC' }));
    expect(all.totalCount).toBe(7);
  });

  it.each(ORDERS.map((o) => [`${o.field} ${o.direction}`, o] as const))('orders by %s, paging forward and backward', async (_label, orderBy) => {
    const want = expected(orderBy);
    expect((await page({ first: 50, orderBy })).edges.map((e) => e.node.id)).toEqual(want);

    // Forward, 3 at a time.
    const forward: string[] = [];
    let after: string | undefined;
    for (let i = 0; ; i++) {
      const p = await page({ first: 3, after, orderBy });
      expect(p.totalCount).toBe(7);
      forward.push(...p.edges.map((e) => e.node.id));
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)?.cursor ?? null);
      if (!p.pageInfo.hasNextPage) break;
      expect(i).toBeLessThan(5);
      after = p.pageInfo.endCursor!;
    }
    expect(forward).toEqual(want);

    // Backward from the end, 3 at a time.
    const backward: string[] = [];
    let before: string | undefined;
    for (let i = 0; ; i++) {
      const p = await page({ last: 3, before, orderBy });
      expect(p.totalCount).toBe(7);
      backward.unshift(...p.edges.map((e) => e.node.id));
      expect(p.pageInfo.startCursor).toBe(p.edges[0]?.cursor ?? null);
      if (!p.pageInfo.hasPreviousPage) break;
      expect(i).toBeLessThan(5);
      before = p.pageInfo.startCursor!;
    }
    expect(backward).toEqual(want);
  });

  it('pages from a cursor in the middle in both directions', async () => {
    const orderBy: CampaignOrder = { field: 'NAME', direction: 'ASC' };
    const want = expected(orderBy);
    const all = await page({ first: 50, orderBy });
    const middle = all.edges[3]!.cursor;
    const next = await page({ first: 2, after: middle, orderBy });
    expect(next.edges.map((e) => e.node.id)).toEqual(want.slice(4, 6));
    expect(next.pageInfo.hasNextPage).toBe(true);
    const prev = await page({ last: 2, before: middle, orderBy });
    expect(prev.edges.map((e) => e.node.id)).toEqual(want.slice(1, 3));
    expect(prev.pageInfo.hasPreviousPage).toBe(true);
  });
});

describe('campaigns: filters', () => {
  const DESC: CampaignOrder = { field: 'CREATED_AT', direction: 'DESC' };

  it.each<[string, CampaignFilter, (r: Row) => boolean]>([
    ['statuses', { statuses: ['RUNNING', 'PAUSED'] }, (r) => !r.deleted && (r.status === 'RUNNING' || r.status === 'PAUSED')],
    ['statuses with deleted', { statuses: ['RUNNING'], includeDeleted: true }, (r) => r.status === 'RUNNING'],
    ['empty statuses (no filter)', { statuses: [] }, (r) => !r.deleted],
    ['search, case-insensitive', { search: 'RENEWALS' }, (r) => !r.deleted && r.name.includes('renewals')],
    ['search with deleted', { search: 'renewals', includeDeleted: true }, (r) => r.name.includes('renewals')],
    ['search and statuses', { search: 'e', statuses: ['DRAFT', 'CANCELED'] }, (r) => !r.deleted && ['DRAFT', 'CANCELED'].includes(r.status)],
    ['includeDeleted', { includeDeleted: true }, () => true],
    ['includeDeleted false', { includeDeleted: false }, (r) => !r.deleted],
    ['search matching nothing', { search: 'zulu' }, () => false],
    ['LIKE wildcards taken literally', { search: '%' }, () => false],
    ['underscore taken literally', { search: 'h_' }, () => false],
    ['backslash taken literally', { search: '\\' }, () => false],
  ])('%s', async (_label, filter, keep) => {
    const want = expected(DESC, keep);
    const p = await page({ first: 50, filter, orderBy: DESC });
    expect(p.edges.map((e) => e.node.id)).toEqual(want);
    expect(p.totalCount).toBe(want.length);
    if (filter.statuses?.length) for (const e of p.edges) expect(filter.statuses).toContain(e.node.status);
  });

  it('counts the filter, not the page', async () => {
    const p = await page({ first: 1, filter: { search: 'renewals', includeDeleted: true } });
    expect(p.edges).toHaveLength(1);
    expect(p.totalCount).toBe(3);
    expect(p.pageInfo.hasNextPage).toBe(true);
  });
});
