import type { Organization } from '../../db/generated/prisma/client.ts';
import { addMinutes, MAX_TOP_UP_MINUTES, updateOrganization } from '../../services/organization.ts';
import { builder } from '../builder.ts';
import { ValidationError } from '../common/errors.ts';
import { OrganizationRef } from './organization.ts';

// Minutes and plan limits, changed by ADMIN keys.

const AddMinutesInput = builder.inputType('AddMinutesInput', {
  description: 'A top-up of the calling balance.',
  fields: (t) => ({
    minutes: t.int({ required: true, description: `Whole minutes to add, 1 to ${MAX_TOP_UP_MINUTES.toLocaleString('en-US')}.` }),
    note: t.string({ description: 'Kept with the balance transaction (e.g. an invoice number), up to 500 characters.' }),
  }),
});

const AddMinutesPayload = builder.objectRef<{ organization: Organization }>('AddMinutesPayload').implement({
  description: 'The organisation after the top-up.',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, resolve: (p) => p.organization, description: 'With its new balance.' }),
  }),
});

builder.mutationField('addMinutes', (t) =>
  t.field({
    type: AddMinutesPayload,
    authScopes: { admin: true },
    description:
      'Adds calling minutes (ADMIN keys), recorded as a TOP_UP balance transaction. Campaigns that paused because the balance ran out (OUT_OF_MINUTES) resume by themselves once it is above zero; campaigns paused by hand stay paused.',
    errors: { types: [ValidationError], directResult: true, union: { name: 'AddMinutesResult', description: 'AddMinutesPayload or a typed error.' } },
    args: { input: t.arg({ type: AddMinutesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ organization: await addMinutes(ctx.app, ctx.orgId, { ...input, actor: ctx.actor }) }),
  }),
);

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  description: 'Organisation settings to change; omitted fields keep their value.',
  fields: (t) => ({
    contactLimit: t.int({ description: 'Plan limit of unique numbers ever dialed; null for unlimited.' }),
  }),
});

const UpdateOrganizationPayload = builder.objectRef<{ organization: Organization }>('UpdateOrganizationPayload').implement({
  description: 'The organisation after the change.',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, resolve: (p) => p.organization, description: 'As it is now.' }),
  }),
});

builder.mutationField('updateOrganization', (t) =>
  t.field({
    type: UpdateOrganizationPayload,
    authScopes: { admin: true },
    description:
      'Changes the plan limit of unique contacts (ADMIN keys). Lowering it below contactsUsed stops calls to new numbers, not to numbers already dialed.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { name: 'UpdateOrganizationResult', description: 'UpdateOrganizationPayload or a typed error.' },
    },
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      organization: await updateOrganization(ctx.app, ctx.orgId, {
        actor: ctx.actor,
        ...('contactLimit' in input ? { contactLimit: input.contactLimit } : {}),
      }),
    }),
  }),
);
