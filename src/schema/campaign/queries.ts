import type { Prisma } from '../../db/generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { checkCursors } from '../common/cursors.ts';
import { CampaignStatusEnum, OrderDirectionEnum } from '../common/enums.ts';
import { totalCountField } from '../common/connection.ts';
import { decodeId } from '../common/ids.ts';

const CampaignFilter = builder.inputType('CampaignFilter', {
  description: 'Narrows the campaign list.',
  fields: (t) => ({
    statuses: t.field({ type: [CampaignStatusEnum], description: 'Only campaigns in one of these statuses.' }),
    search: t.string({ description: 'Case-insensitive substring of the name.' }),
    includeDeleted: t.boolean({ description: 'Include soft-deleted campaigns (default false).' }),
  }),
});

const CampaignOrderField = builder.enumType('CampaignOrderField', {
  description: 'Sort key for campaigns.',
  values: ['CREATED_AT', 'UPDATED_AT', 'NAME', 'STATUS'] as const,
});

const CampaignOrder = builder.inputType('CampaignOrder', {
  description: 'Campaign sort order (ties broken by id).',
  fields: (t) => ({
    field: t.field({ type: CampaignOrderField, required: true, description: 'Sort key.' }),
    direction: t.field({ type: OrderDirectionEnum, required: true, description: 'Sort direction.' }),
  }),
});

const ORDER_COLUMN = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', NAME: 'name', STATUS: 'status' } as const;

/**
 * Prisma's `contains` becomes ILIKE '%…%' without escaping, so "%" or "_" typed by a user would
 * match everything; a backslash (PostgreSQL's default LIKE escape) makes them literal.
 */
const literalLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type ListArgs = { filter?: typeof CampaignFilter.$inferInput | null };

function campaignWhere(orgId: string, args: ListArgs): Prisma.CampaignWhereInput {
  const filter = args.filter;
  return {
    organizationId: orgId,
    ...(filter?.includeDeleted ? {} : { deletedAt: null }),
    ...(filter?.statuses?.length ? { status: { in: filter.statuses } } : {}),
    ...(filter?.search ? { name: { contains: literalLike(filter.search), mode: 'insensitive' as const } } : {}),
  };
}

builder.queryField('campaigns', (t) =>
  t.prismaConnection(
    {
      type: 'Campaign',
      cursor: 'id',
      description: 'The organisation’s campaigns, newest first unless ordered otherwise.',
      args: {
        filter: t.arg({ type: CampaignFilter, description: 'Filter.' }),
        orderBy: t.arg({ type: CampaignOrder, description: 'Order (default CREATED_AT DESC).' }),
      },
      totalCount: (_root, args, ctx) => ctx.db.prisma.campaign.count({ where: campaignWhere(ctx.orgId, args) }),
      resolve: async (query, _root, args, ctx) => {
        await checkCursors(args, (ids) => ctx.db.prisma.campaign.count({ where: { id: { in: ids }, organizationId: ctx.orgId } }));
        const direction = args.orderBy?.direction === 'ASC' ? 'asc' : 'desc';
        const column = ORDER_COLUMN[args.orderBy?.field ?? 'CREATED_AT'];
        return ctx.db.prisma.campaign.findMany({
          ...query,
          where: campaignWhere(ctx.orgId, args),
          orderBy: [{ [column]: direction }, { id: direction }],
        });
      },
    },
    {
      name: 'CampaignConnection',
      description: 'A page of campaigns.',
      fields: (t) => ({ totalCount: totalCountField(t, 'Campaigns matching the filter, all pages together.') }),
    },
    { name: 'CampaignEdge', description: 'A campaign in a page.' },
  ),
);

builder.queryField('campaign', (t) =>
  t.prismaField({
    type: 'Campaign',
    nullable: true,
    description: 'One campaign by id (deleted ones included); null when it does not exist or is another organisation’s.',
    args: { id: t.arg.id({ required: true, description: 'The campaign’s id.' }) },
    resolve: (query, _root, args, ctx) => {
      const id = decodeId(args.id, 'Campaign');
      if (!id) return null;
      return ctx.db.prisma.campaign.findFirst({ ...query, where: { id, organizationId: ctx.orgId } });
    },
  }),
);
