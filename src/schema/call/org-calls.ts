import { queryFromInfo } from '@pothos/plugin-prisma';
import { countableFromTally, filterConditions, Params, type CallFilterInput } from '../../db/call-filter.ts';
import type { Context } from '../context.ts';
import { builder } from '../builder.ts';
import { decodeId } from '../common/ids.ts';
import { CallRef } from './call.ts';
import { mergedPageStatement, planPage, type CallPageArgs } from './call-page.ts';
import { CallConnection, callFilterFields, CallOrder, lazyConnection, pageOf } from './campaign-calls.ts';

// Query.calls: the calls of every campaign of the organisation ("yesterday's results", one
// number however it is typed), with the same filters, orders and cursors as Campaign.calls.

const OrgCallFilter = builder.inputType('OrgCallFilter', {
  description: 'Narrows the organisation’s calls. Conditions combine with AND; list values with OR.',
  fields: (t) => ({
    campaignIds: t.idList({ description: 'Only calls of these campaigns (unknown ids match nothing).' }),
    ...callFilterFields(t),
  }),
});

type OrgFilter = CallFilterInput & { campaignIds?: readonly (string | number)[] | null };

/** The organisation's campaigns the filter covers (deleted ones are left out, as in lists). */
async function campaignsOf(ctx: Context, filter: OrgFilter | null | undefined): Promise<string[]> {
  const wanted = filter?.campaignIds?.map((id) => decodeId(String(id), 'Campaign')).filter((id): id is string => id !== null);
  if (wanted && wanted.length === 0) return [];
  const rows = await ctx.db.prisma.campaign.findMany({
    where: { organizationId: ctx.orgId, deletedAt: null, ...(wanted ? { id: { in: wanted } } : {}) },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

async function countCalls(ctx: Context, campaignIds: string[], filter: OrgFilter | null | undefined): Promise<number> {
  if (campaignIds.length === 0) return 0;
  const p = new Params();
  const ids = p.add(campaignIds);
  if (countableFromTally(filter)) {
    // Constant per campaign: the counters hold calls per (status, outcome); '' is "no outcome yet".
    const where = [`t.campaign_id = ANY(${ids}::uuid[])`];
    if (filter?.statuses?.length) where.push(`t.status::text = ANY(${p.add([...filter.statuses])}::text[])`);
    if (filter?.outcomes?.length) where.push(`t.outcome::text = ANY(${p.add([...filter.outcomes])}::text[])`);
    const [row] = await ctx.db.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT coalesce(sum(t.calls), 0)::int AS n FROM campaign_call_tally t WHERE ${where.join(' AND ')}`,
      ...p.values,
    );
    return Number(row?.n ?? 0);
  }
  const where = filterConditions(filter, p);
  const [row] = await ctx.db.prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "call" c WHERE c.campaign_id = ANY(${ids}::uuid[])${where.map((w) => ` AND ${w}`).join('')}`,
    ...p.values,
  );
  return Number(row?.n ?? 0);
}

builder.queryField('calls', (t) =>
  t.connection(
    {
      type: CallRef,
      description:
        'The calls of all the organisation’s campaigns (deleted ones excepted), filtered and ordered like Campaign.calls, with cursor pagination both ways (at most 100 per page, 20 by default).',
      args: {
        filter: t.arg({ type: OrgCallFilter, description: 'Filter.' }),
        orderBy: t.arg({ type: CallOrder, description: 'Order (default CREATED_AT ASC).' }),
      },
      resolve: async (_root, args, ctx, info) => {
        const filter = args.filter as OrgFilter | null | undefined;
        const campaignIds = await campaignsOf(ctx, filter);
        const plan = planPage(args as CallPageArgs);
        return lazyConnection(
          async () => {
            const statement = mergedPageStatement(plan, filter, campaignIds);
            const scanned = campaignIds.length
              ? await ctx.db.prisma.$queryRawUnsafe<{ id: string; sort_value: string | null }[]>(statement.sql, ...statement.params)
              : [];
            const ids = scanned.map((r) => r.id);
            const query = queryFromInfo({ context: ctx, info, path: ['edges', 'node'] });
            const nodes = ids.length ? await ctx.db.prisma.call.findMany({ ...query, where: { id: { in: ids } } }) : [];
            return pageOf(plan, scanned, new Map(nodes.map((n) => [n.id, n])));
          },
          () => countCalls(ctx, campaignIds, filter),
        );
      },
    },
    CallConnection,
  ),
);
