import type { Campaign } from '../../db/generated/prisma/client.ts';
import type { CampaignAction } from '../../domain/lifecycle.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { createCampaign, updateCampaign } from '../../services/campaigns.ts';
import { performAction } from '../../services/campaign-lifecycle.ts';
import { builder } from '../builder.ts';
import { CallsStillOpenError, InsufficientBalanceError, INPUT_ERRORS, LIFECYCLE_ERRORS } from '../common/errors.ts';
import { decodeId, requireId } from '../common/ids.ts';
import { CampaignRef } from './campaign.ts';
import { CampaignSettingsInput } from './settings.ts';

/** The campaign id inside a global id, or NotFound (malformed, other type). */
export const campaignIdOf = (globalId: string) => requireId(globalId, 'Campaign');

const agentIdOf = (globalId: string | null | undefined) => (globalId == null ? globalId : requireId(globalId, 'Agent'));

/**
 * Runs a service call, re-throwing its NotFound with the id the client sent: services look rows
 * up by database uuid, but clients must see their own (Relay global) id, never the internal one.
 */
async function withClientIds<T>(sent: (string | null | undefined)[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof NotFoundError) {
      const globalId = sent.find((g) => g != null && decodeId(g, error.typename) === error.id);
      if (globalId) throw new NotFoundError(error.typename, globalId);
    }
    throw error;
  }
}

/** `<Name>Payload { campaign }`: what every campaign mutation returns on success. */
function campaignPayload(name: string, description: string) {
  return builder.objectRef<{ campaign: Campaign }>(name).implement({
    description,
    fields: (t) => ({ campaign: t.field({ type: CampaignRef, resolve: (p) => p.campaign, description: 'The campaign after the change.' }) }),
  });
}

const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  description: 'A new campaign, created in DRAFT.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name.' }),
    agentId: t.id({ description: 'The AI agent that will place the calls.' }),
    settings: t.field({ type: CampaignSettingsInput, description: 'Dialing settings (defaults apply to what is omitted).' }),
  }),
});

builder.mutationField('createCampaign', (t) =>
  t.field({
    type: campaignPayload('CreateCampaignPayload', 'The created campaign.'),
    description: 'Creates a campaign in DRAFT. Add contacts, then start or schedule it.',
    errors: { types: INPUT_ERRORS, directResult: true, union: { name: 'CreateCampaignResult', description: 'CreateCampaignPayload or a typed error.' } },
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      campaign: await withClientIds([input.agentId], () =>
        createCampaign(ctx.app, ctx.orgId, {
          actor: ctx.actor,
          name: input.name,
          agentId: agentIdOf(input.agentId),
          settings: input.settings,
        }),
      ),
    }),
  }),
);

const UpdateCampaignInput = builder.inputType('UpdateCampaignInput', {
  description: 'Changes to a campaign; omitted fields stay as they are. Later attempts use the new settings.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The campaign.' }),
    expectedVersion: t.int({ description: 'Apply only if the campaign is still at this version (else VersionConflict).' }),
    name: t.string({ description: 'New name.' }),
    agentId: t.id({ description: 'New agent.' }),
    settings: t.field({ type: CampaignSettingsInput, description: 'Settings to change.' }),
  }),
});

builder.mutationField('updateCampaign', (t) =>
  t.field({
    type: campaignPayload('UpdateCampaignPayload', 'The updated campaign.'),
    description: 'Renames a campaign, reassigns its agent or changes its settings. Refused for a CANCELED campaign (InvalidCampaignTransition, action EDIT).',
    errors: {
      types: [...INPUT_ERRORS, ...LIFECYCLE_ERRORS],
      directResult: true,
      union: { name: 'UpdateCampaignResult', description: 'UpdateCampaignPayload or a typed error.' },
    },
    args: { input: t.arg({ type: UpdateCampaignInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      campaign: await withClientIds([input.id, input.agentId], () =>
        updateCampaign(ctx.app, ctx.orgId, {
          actor: ctx.actor,
          id: campaignIdOf(input.id),
          expectedVersion: input.expectedVersion,
          name: input.name,
          agentId: agentIdOf(input.agentId),
          settings: input.settings,
        }),
      ),
    }),
  }),
);

/** One lifecycle mutation: `<verb>Campaign(input: { id expectedVersion }) → <Verb>CampaignPayload`. */
function lifecycleMutation(
  field: string,
  action: CampaignAction,
  description: string,
  options: { withStartAt?: boolean; balance?: boolean; stillOpen?: boolean } = {},
) {
  const typeName = field[0]!.toUpperCase() + field.slice(1);
  const Input = builder.inputType(`${typeName}Input`, {
    description: `Input of ${field}.`,
    fields: (t) => ({
      id: t.id({ required: true, description: 'The campaign.' }),
      expectedVersion: t.int({ description: 'Apply only if the campaign is still at this version (else VersionConflict).' }),
      ...(options.withStartAt ? { startAt: t.field({ type: 'DateTime', required: true, description: 'When to start (in the future).' }) } : {}),
    }),
  });
  builder.mutationField(field, (t) =>
    t.field({
      type: campaignPayload(`${typeName}Payload`, `Result of ${field}.`),
      description,
      errors: {
        types: [...LIFECYCLE_ERRORS, ...(options.balance ? [InsufficientBalanceError] : []), ...(options.stillOpen ? [CallsStillOpenError] : [])],
        directResult: true,
        union: { name: `${typeName}Result`, description: `${typeName}Payload or a typed error.` },
      },
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const startAt = (input as { startAt?: Date }).startAt;
        if (options.withStartAt && !(startAt instanceof Date)) throw ValidationError.of(['startAt'], 'required');
        return {
          campaign: await withClientIds([input.id], () =>
            performAction(ctx.app, {
              orgId: ctx.orgId,
              campaignId: campaignIdOf(input.id),
              action,
              expectedVersion: input.expectedVersion,
              startAt,
              actor: ctx.actor,
            }),
          ),
        };
      },
    }),
  );
}

lifecycleMutation('scheduleCampaign', 'SCHEDULE', 'DRAFT/SCHEDULED → SCHEDULED: the scheduler starts it at startAt.', {
  withStartAt: true,
});
lifecycleMutation('startCampaign', 'START', 'DRAFT/SCHEDULED → RUNNING: the dialer starts calling now.', { balance: true });
lifecycleMutation('pauseCampaign', 'PAUSE', 'RUNNING → PAUSED: no new dials; calls in progress finish.');
lifecycleMutation('resumeCampaign', 'RESUME', 'PAUSED → RUNNING. Refused with InsufficientBalance while the balance is zero.', {
  balance: true,
});
lifecycleMutation(
  'stopCampaign',
  'STOP',
  '→ CANCELED: every call not dialed yet is canceled (outcome NOT_DIALED); calls in progress finish. Cannot be resumed.',
);
lifecycleMutation(
  'retryFailedCalls',
  'RETRY_FAILED',
  'FAILED calls go back to PENDING with a fresh attempt budget; a COMPLETED campaign runs again (refused with InsufficientBalance while the balance is zero).',
  { balance: true },
);
lifecycleMutation(
  'completeCampaign',
  'COMPLETE',
  'RUNNING → COMPLETED: finishes a continuous campaign (autoComplete false) that has nothing left to dial. Refused with CallsStillOpen while calls are pending, waiting for a retry or in progress.',
  { stillOpen: true },
);
lifecycleMutation('deleteCampaign', 'DELETE', 'Stops the campaign if it is live, then hides it from lists. Its calls stay readable.');
