import { NotFoundError } from '../../domain/errors.ts';
import { duplicateCampaign, type DuplicateResult } from '../../services/duplicate.ts';
import { builder } from '../builder.ts';
import { CallOutcomeEnum, CallStatusEnum } from '../common/enums.ts';
import { ValidationError } from '../common/errors.ts';
import { decodeId } from '../common/ids.ts';
import { CampaignRef } from '../campaign/campaign.ts';

const DuplicateCampaignInput = builder.inputType('DuplicateCampaignInput', {
  description:
    'A follow-up campaign from another one’s calls, e.g. `outcomes: [NO_ANSWER]` to call again everyone who did not answer. Without statuses and outcomes every call is copied.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The campaign to copy from (a deleted one works too).' }),
    name: t.string({ description: 'Name of the new campaign (default: the source’s name + " (follow-up)").' }),
    statuses: t.field({ type: [CallStatusEnum], description: 'Copy only calls in one of these statuses.' }),
    outcomes: t.field({ type: [CallOutcomeEnum], description: 'Copy only calls with one of these outcomes.' }),
  }),
});

const DuplicateCampaignPayload = builder.objectRef<DuplicateResult>('DuplicateCampaignPayload').implement({
  description: 'The new campaign.',
  fields: (t) => ({
    campaign: t.field({ type: CampaignRef, resolve: (r) => r.campaign, description: 'The new DRAFT campaign.' }),
    added: t.exposeInt('added', { description: 'Calls copied as PENDING.' }),
    skipped: t.exposeInt('skipped', {
      description: 'Calls copied as SKIPPED: the number is on the do-not-call list now (DO_NOT_CALL) or was already copied (DUPLICATE).',
    }),
  }),
});

builder.mutationField('duplicateCampaign', (t) =>
  t.field({
    type: DuplicateCampaignPayload,
    description:
      'Creates a DRAFT campaign with the same agent and settings, holding fresh PENDING calls for the source’s calls that match statuses/outcomes. Calls skipped as invalid or duplicate are never copied; the do-not-call list is applied again.',
    errors: {
      types: [NotFoundError, ValidationError],
      directResult: true,
      union: { name: 'DuplicateCampaignResult', description: 'DuplicateCampaignPayload or a typed error.' },
    },
    args: { input: t.arg({ type: DuplicateCampaignInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const sourceId = decodeId(input.id, 'Campaign');
      if (!sourceId) throw new NotFoundError('Campaign', input.id);
      return duplicateCampaign(ctx.app, ctx.orgId, { sourceId, name: input.name, statuses: input.statuses, outcomes: input.outcomes, actor: ctx.actor });
    },
  }),
);
