import { builder } from '../builder.ts';
import { subscribableCampaignId } from './access.ts';
import { eachEventFresh } from './event-scope.ts';
import { campaignOfEvent } from './rows.ts';

builder.subscriptionField('campaignUpdated', (t) =>
  t.prismaField({
    type: 'Campaign',
    description: [
      'The campaign each time it changes: status and settings changes at once; changes that only move its',
      'stats (calls progressing, contacts added) at most about 4 times per second, always including the final',
      'state of a burst. Sends changes only: query `campaign` first for the current state. An unknown campaign, or',
      'another organisation’s, fails with a NotFound error (extensions.code NOT_FOUND).',
    ].join(' '),
    args: { id: t.arg.id({ required: true, description: 'The campaign to watch.' }) },
    subscribe: async (_root, args, ctx) => {
      const campaignId = await subscribableCampaignId(ctx, args.id);
      const hub = ctx.app.realtime;
      return eachEventFresh(ctx, hub, hub.updates(campaignId));
    },
    resolve: async (query, event, _args, ctx) => {
      const campaign = await campaignOfEvent<never>(ctx, event, query);
      if (!campaign) throw new Error(`campaign ${event.campaignId} vanished`);
      return campaign;
    },
  }),
);
