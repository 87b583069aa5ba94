import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { freshRequestScope } from './event-scope.ts';

/**
 * Before each campaign sent, fresh per-request caches: the tenth change must not see the first's
 * stats. An iterator object, not a generator: ending the subscription must reach `ids` at once,
 * even while it waits for the next change (a generator would queue the return behind that wait).
 */
function freshPerCampaign(ctx: Context, ids: AsyncIterableIterator<string>): AsyncIterableIterator<string> {
  return {
    async next() {
      const result = await ids.next();
      if (!result.done) freshRequestScope(ctx);
      return result;
    },
    return: () => ids.return!(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

builder.subscriptionField('campaignsUpdated', (t) =>
  t.prismaField({
    type: 'Campaign',
    description: [
      'Every campaign of your organisation as it changes — created, started, paused, edited, deleted (deletedAt set),',
      'or its stats moving — so a list page needs this one subscription. Changes are coalesced: a campaign is sent at',
      'most about 4 times per second, always with its latest state. Sends changes only: query `campaigns` first.',
    ].join(' '),
    subscribe: async (_root, _args, ctx) => freshPerCampaign(ctx, await ctx.app.realtime.orgCampaigns.subscribe(ctx.orgId)),
    resolve: async (query, id, _args, ctx) => {
      const campaign = await ctx.db.prisma.campaign.findFirst({ ...query, where: { id: id as unknown as string, organizationId: ctx.orgId } });
      if (!campaign) throw new Error(`campaign ${String(id)} vanished`);
      return campaign;
    },
  }),
);
