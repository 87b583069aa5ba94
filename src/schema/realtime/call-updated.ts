import type { StreamEvent } from '../../realtime/event-log.ts';
import { builder } from '../builder.ts';
import { CallStatusEnum } from '../common/enums.ts';
import { subscribableCampaignId } from './access.ts';
import { CampaignEventRef } from './campaign-events.ts';
import { eachEventFresh } from './event-scope.ts';
import { callOfEvent } from './rows.ts';

builder.objectField(CampaignEventRef, 'call', (t) =>
  t.prismaField({
    type: 'Call',
    nullable: true,
    description: 'The call that changed, as it is now (null for campaign-level events). Read once per event, shared by all subscribers.',
    resolve: (query, event, _args, ctx) => callOfEvent<never>(ctx, event, query),
  }),
);

/** A call event whose status is one of `statuses` (all when none given) — decided from the event alone. */
function callFilter(statuses: readonly string[] | null | undefined) {
  const wanted = statuses?.length ? new Set<string>(statuses) : null;
  return (event: StreamEvent) => event.callId != null && (!wanted || (event.callStatus != null && wanted.has(event.callStatus)));
}

builder.subscriptionField('callUpdated', (t) =>
  t.prismaField({
    type: 'Call',
    description: [
      'Each change of a call of the campaign, as the dialer makes it (dialing, retry scheduled, finished…), in',
      'order. `statuses` keeps only changes that leave the call in one of them (e.g. [COMPLETED, FAILED] for',
      'results). Bulk changes made by a campaign action (stopCampaign cancelling every call not dialed yet,',
      'retryFailedCalls) arrive as one campaign event on campaignEvents / campaignUpdated, not one per call. An',
      'unknown campaign, or another organisation’s, fails with a NotFound error (extensions.code NOT_FOUND).',
    ].join(' '),
    args: {
      campaignId: t.arg.id({ required: true, description: 'The campaign whose calls to watch.' }),
      statuses: t.arg({ type: [CallStatusEnum], description: 'Only changes that leave the call in one of these statuses.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const campaignId = await subscribableCampaignId(ctx, args.campaignId);
      const hub = ctx.app.realtime;
      return eachEventFresh(ctx, hub, hub.events(campaignId, null, callFilter(args.statuses)));
    },
    resolve: async (query, event, _args, ctx) => {
      const call = await callOfEvent<never>(ctx, event, query);
      // Unreachable: calls are never deleted while their campaign exists.
      if (!call) throw new Error(`call ${event.callId} vanished`);
      return call;
    },
  }),
);
