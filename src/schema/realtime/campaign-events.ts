import type { StreamEvent } from '../../realtime/event-log.ts';
import { builder } from '../builder.ts';
import { CallStatusEnum } from '../common/enums.ts';
import { subscribableCampaignId } from './access.ts';
import { eachEventFresh } from './event-scope.ts';
import { campaignOfEvent } from './rows.ts';

export const CampaignEventRef = builder.objectRef<StreamEvent>('CampaignEvent').implement({
  description: 'One entry of a campaign’s event log: every change to the campaign or its calls appends one, numbered 1, 2, 3… without gaps.',
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: 'Position in the campaign’s log (gapless, in commit order). Pass the last one you saw as `after` to resume.',
    }),
    kind: t.exposeString('kind', {
      description: [
        'What happened. Campaign changes (pushed by campaignUpdated at once): CAMPAIGN_SCHEDULE, CAMPAIGN_START,',
        'CAMPAIGN_PAUSE, CAMPAIGN_RESUME, CAMPAIGN_STOP, CAMPAIGN_RETRY_FAILED, CAMPAIGN_DELETE, CAMPAIGN_COMPLETE',
        '(the last open call finished), CAMPAIGN_UPDATED (name, agent or settings). Stats changes: CONTACTS_ADDED',
        '(contacts imported or appended), CALL_UPDATED (one call changed; `call` and `callStatus` say which and how).',
        'New kinds may be added: treat an unknown one as "something changed".',
      ].join(' '),
    }),
    callStatus: t.field({
      type: CallStatusEnum,
      nullable: true,
      description: 'For call events, the call’s status right after the change (null for campaign-level events).',
      resolve: (e) => e.callStatus as never,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the change was committed.' }),
    campaign: t.prismaField({
      type: 'Campaign',
      description: 'The campaign as it is now (read once per event and shared by all subscribers; replayed events show the current state).',
      resolve: async (query, event, _args, ctx) => {
        const campaign = await campaignOfEvent<never>(ctx, event, query);
        // Unreachable for a campaign the subscription was authorised for (campaigns are only soft-deleted).
        if (!campaign) throw new Error(`campaign ${event.campaignId} vanished`);
        return campaign;
      },
    }),
  }),
});

builder.subscriptionField('campaignEvents', (t) =>
  t.field({
    type: CampaignEventRef,
    description: [
      'Every change to a campaign and its calls, in order, each exactly once: first the events after `after`',
      '(replayed from the log), then live ones. A dashboard that reconnects with the last `sequence` it saw misses',
      'nothing and sees nothing twice. Without `after`, only new events. An unknown campaign, or another',
      'organisation’s, fails with a NotFound error (extensions.code NOT_FOUND).',
    ].join(' '),
    args: {
      campaignId: t.arg.id({ required: true, description: 'The campaign to watch.' }),
      after: t.arg.int({ description: 'Replay events with a sequence greater than this (0 = from the beginning).' }),
    },
    subscribe: async (_root, args, ctx) => {
      const campaignId = await subscribableCampaignId(ctx, args.campaignId);
      const hub = ctx.app.realtime;
      return eachEventFresh(ctx, hub, hub.events(campaignId, args.after ?? null));
    },
    resolve: (event) => event,
  }),
);
