import { availableActions, OPEN_CALL_STATUSES } from '../../domain/lifecycle.ts';
import { computeStats } from '../../domain/stats.ts';
import { builder } from '../builder.ts';
import { CampaignActionEnum, CampaignStatusEnum, PauseReasonEnum } from '../common/enums.ts';
import { nodeId } from '../common/scope.ts';
import { CampaignStatsRef } from '../stats/stats.ts';
import { CampaignSettings } from './settings.ts';

/** Calls of the campaign in one of `statuses`, from its counter rows (the tallies loader). */
const callsIn = (tallies: readonly { status: string; calls: number | bigint }[], statuses: readonly string[]) =>
  tallies.reduce((n, t) => n + (statuses.includes(t.status) ? Number(t.calls) : 0), 0);

export const CampaignRef = builder.prismaNode('Campaign', {
  description: 'An outbound call campaign: a list of contacts an AI agent calls, with its lifecycle and live stats.',
  id: { field: 'id' },
  // Node lookups are scoped to the caller's organisation: other tenants' ids read as null.
  findUnique: (id, ctx) => ({ id: nodeId(id), organizationId: ctx.orgId }),
  // …as null, not as findUniqueOrThrow's error (a masked 500 that also tells "exists elsewhere").
  nullable: true,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    status: t.expose('status', { type: CampaignStatusEnum, description: 'Lifecycle status.' }),
    pauseReason: t.expose('pauseReason', {
      type: PauseReasonEnum,
      nullable: true,
      description: 'Why the campaign is PAUSED (null otherwise).',
    }),
    agent: t.relation('agent', { nullable: true, description: 'The AI agent placing the calls.' }),
    version: t.exposeInt('version', {
      description: 'Increases with every change; pass it as expectedVersion to update only what you have seen.',
    }),
    scheduledAt: t.expose('scheduledAt', { type: 'DateTime', nullable: true, description: 'When a SCHEDULED campaign starts.' }),
    scheduleProblem: t.exposeString('scheduleProblem', {
      nullable: true,
      description:
        'Why a SCHEDULED campaign past its start time has not started (e.g. no contacts, no minutes, no agent); it is tried again every second until the problem is fixed. Null otherwise.',
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When it first started running.' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, description: 'When its last call finished.' }),
    canceledAt: t.expose('canceledAt', { type: 'DateTime', nullable: true, description: 'When it was stopped.' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was deleted; deleted campaigns are hidden from lists but stay readable by id.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'Creation time.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
    settings: t.field({ type: CampaignSettings, resolve: (c) => c, description: 'Dialing settings.' }),
    idle: t.boolean({
      description:
        'RUNNING with nothing left to dial: a continuous campaign (settings.autoComplete false) waiting for contacts to be added, or finished with completeCampaign.',
      resolve: async (c, _args, ctx) => c.status === 'RUNNING' && callsIn(await ctx.loaders.tallies.load(c.id), OPEN_CALL_STATUSES) === 0,
    }),
    availableActions: t.field({
      type: [CampaignActionEnum],
      description:
        'The actions that apply now, in button order (START SCHEDULE PAUSE RESUME STOP RETRY_FAILED COMPLETE DUPLICATE DELETE), from the state machine and the counts: a page shows exactly these. START needs an agent (and, unless continuous, contacts to call); RETRY_FAILED needs failed calls; COMPLETE is for continuous campaigns with no open call. An action may still be refused for lack of minutes.',
      resolve: async (c, _args, ctx) => {
        const tallies = await ctx.loaders.tallies.load(c.id);
        return availableActions({
          status: c.status,
          deleted: c.deletedAt !== null,
          agentAssigned: c.agentId !== null,
          autoComplete: c.autoComplete,
          openCalls: callsIn(tallies, OPEN_CALL_STATUSES),
          failedCalls: callsIn(tallies, ['FAILED']),
        });
      },
    }),
    stats: t.field({
      type: CampaignStatsRef,
      description: 'Exact statistics, read from counters (constant cost, however many calls).',
      resolve: async (c, _args, ctx) => computeStats(await ctx.loaders.tallies.load(c.id), c),
    }),
  }),
});
