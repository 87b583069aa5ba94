import type { CallAttempt } from '../../db/generated/prisma/client.ts';
import { queueTestCall } from '../../services/test-calls.ts';
import { builder } from '../builder.ts';
import { InsufficientBalanceError, NotFoundError, OutsideCallingWindowError, ValidationError } from '../common/errors.ts';
import { campaignIdOf } from '../campaign/mutations.ts';
import { CallAttemptRef, CallRef } from './call.ts';

// The dialer's own parts of the schema: placeTestCall, and why a waiting call is not dialed yet.

builder.prismaObjectField(CallRef, 'waitReason', (t) =>
  t.exposeString('waitReason', {
    nullable: true,
    description:
      'Why the call is not dialed yet, for humans (e.g. "outside calling hours in Europe/Paris (09:00–20:00)", "retry after busy (1 of 3 attempts used)"; for PLAN_LIMIT_EXCEEDED, the plan limit); null otherwise. See nextAttemptAt for when.',
  }),
);

const PlaceTestCallInput = builder.inputType('PlaceTestCallInput', {
  description: 'Where to place a test call, and with which campaign’s agent.',
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'The campaign whose agent (and script) makes the call.' }),
    phoneNumber: t.string({ required: true, description: 'The number to call, international format (e.g. +14155550123).' }),
    name: t.string({ description: 'The name the agent greets (the script’s {{name}}), as a contact’s would be; up to 200 characters.' }),
    variables: t.field({
      type: 'JSON',
      description: 'Merge fields for the script’s {{…}} placeholders, as a contact’s variables (a JSON object, up to 16 KB).',
    }),
    ignoreCallingWindow: t.boolean({
      description:
        'Place it even outside the recipient’s calling window — only for your own number, whose owner agreed to be called now. Default false: outside the window the call is refused with OutsideCallingWindow.',
    }),
  }),
});

const PlaceTestCallPayload = builder.objectRef<{ attempt: CallAttempt }>('PlaceTestCallPayload').implement({
  description: 'The test call, queued for the dialer.',
  fields: (t) => ({
    attempt: t.field({
      type: CallAttemptRef,
      resolve: (p) => p.attempt,
      description: 'The test call as a CallAttempt (isTest true): QUEUED now; fetch it again with node(id) to see the result once the call ends.',
    }),
  }),
});

builder.mutationField('placeTestCall', (t) =>
  t.field({
    type: PlaceTestCallPayload,
    description:
      'Places one call with the campaign’s agent to the given number, to hear the script before (or while) the campaign runs. Kept outside the campaign’s calls and stats; its minutes are billed. The campaign may be in any status but deleted; it needs an agent. The recipient’s calling window and the do-not-call list apply as for campaign calls.',
    errors: {
      types: [NotFoundError, ValidationError, InsufficientBalanceError, OutsideCallingWindowError],
      directResult: true,
      union: { name: 'PlaceTestCallResult', description: 'PlaceTestCallPayload or a typed error.' },
    },
    args: { input: t.arg({ type: PlaceTestCallInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      attempt: await queueTestCall(ctx.app, ctx.orgId, {
        campaignId: campaignIdOf(input.campaignId),
        phoneNumber: input.phoneNumber,
        ignoreCallingWindow: input.ignoreCallingWindow,
        name: input.name,
        variables: input.variables as Record<string, unknown> | null | undefined,
        actor: ctx.actor,
      }),
    }),
  }),
);
