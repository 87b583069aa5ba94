import type { CampaignStats } from '../../domain/stats.ts';
import { builder } from '../builder.ts';
import { CallOutcomeEnum } from '../common/enums.ts';

const OutcomeCount = builder.objectRef<{ outcome: string; count: number }>('OutcomeCount').implement({
  description: 'How many calls ended with one outcome.',
  fields: (t) => ({
    outcome: t.field({ type: CallOutcomeEnum, resolve: (o) => o.outcome as never, description: 'The outcome.' }),
    count: t.exposeInt('count', { description: 'Calls with this outcome.' }),
  }),
});

export const CampaignStatsRef = builder.objectRef<CampaignStats>('CampaignStats').implement({
  description: 'Exact campaign statistics, kept in counters updated in the same transaction as every call change: they always equal the call rows.',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'All calls (contacts) in the campaign, skipped ones included.' }),
    pending: t.exposeInt('pending', { description: 'Calls not dialed yet.' }),
    inProgress: t.exposeInt('inProgress', { description: 'Calls being dialed or talking now.' }),
    retryScheduled: t.exposeInt('retryScheduled', { description: 'Calls waiting for another attempt (callbacks included).' }),
    callbacksScheduled: t.exposeInt('callbacksScheduled', {
      description: 'Of retryScheduled: calls waiting for the time the person asked to be called back at.',
    }),
    completed: t.exposeInt('completed', { description: 'Calls that ended with a conversation or message.' }),
    failed: t.exposeInt('failed', { description: 'Calls that spent their attempts without a conversation.' }),
    skipped: t.exposeInt('skipped', { description: 'Calls never dialed: invalid number, duplicate or do-not-call.' }),
    canceled: t.exposeInt('canceled', { description: 'Calls canceled because the campaign was stopped.' }),
    byOutcome: t.field({ type: [OutcomeCount], resolve: (s) => s.byOutcome, description: 'Calls per outcome (only outcomes that occur).' }),
    attempts: t.exposeInt('attempts', { description: 'Dials placed, all calls together.' }),
    connectedCalls: t.exposeInt('connectedCalls', { description: 'Calls answered by a person or a voicemail at least once.' }),
    totalTimeSpentSeconds: t.exposeInt('totalTimeSpentSeconds', {
      description: 'Connected talk time in seconds; dials that never connected count zero.',
    }),
    averageDurationSeconds: t.exposeFloat('averageDurationSeconds', {
      nullable: true,
      description: 'totalTimeSpentSeconds / connectedCalls; null before the first connection.',
    }),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description:
        'Share (0–1) of finished dialed calls (completed + failed) that reached a person with a good outcome (answered, meeting booked, callback requested, transferred).',
    }),
    connectRate: t.exposeFloat('connectRate', {
      nullable: true,
      description: 'Share (0–1) of dialed calls that connected (person or voicemail).',
    }),
    progress: t.exposeFloat('progress', { description: 'Share (0–1) of calls in a final status.' }),
    estimatedCompletionAt: t.expose('estimatedCompletionAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the campaign should finish at its pace so far; null unless RUNNING with progress.',
    }),
  }),
});
