import { builder } from '../builder.ts';
import { AnsweredByEnum, CallOutcomeEnum, CallStatusEnum, TelephonyStatusEnum } from '../common/enums.ts';
import { nodeId } from '../common/scope.ts';

export const CallAttemptRef = builder.prismaNode('CallAttempt', {
  description: 'One dial of a call: what the telephony provider reported and what the AI agent made of it.',
  id: { field: 'id' },
  // Scoped like every node: an attempt of another organisation reads as null. `nullable` makes the
  // plugin load with findUnique (null) instead of findUniqueOrThrow (an internal error).
  findUnique: (id, ctx) => ({ id: nodeId(id), campaign: { organizationId: ctx.orgId } }),
  nullable: true,
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'Attempt number for this call: 1 for the first dial, 2 for the first retry, …' }),
    telephonyStatus: t.expose('telephonyStatus', { type: TelephonyStatusEnum, description: 'Telephony status of the dial.' }),
    answeredBy: t.expose('answeredBy', {
      type: AnsweredByEnum,
      nullable: true,
      description: 'Who picked up (person or machine); null when nobody answered.',
    }),
    outcome: t.expose('outcome', { type: CallOutcomeEnum, nullable: true, description: 'Result of this attempt; null while it is in progress.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the dial was placed.' }),
    answeredAt: t.expose('answeredAt', { type: 'DateTime', nullable: true, description: 'When it was answered; null if it never was.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'When it ended; null while in progress.' }),
    durationSeconds: t.exposeInt('durationSeconds', {
      nullable: true,
      description: 'Connected time of this attempt in seconds; null while in progress or when it never connected.',
    }),
    providerCallId: t.exposeString('providerCallId', {
      nullable: true,
      description: 'The telephony provider’s id of the dial, for looking it up on their side.',
    }),
    transcript: t.exposeString('transcript', { nullable: true, description: 'Conversation transcript (AI interaction data), when there was one.' }),
    summary: t.exposeString('summary', { nullable: true, description: 'The agent’s summary of the conversation.' }),
    errorMessage: t.exposeString('errorMessage', { nullable: true, description: 'Why the dial failed, when it did.' }),
    isTest: t.exposeBoolean('isTest', { description: 'A test call (placeTestCall): outside the campaign’s calls and stats.' }),
    toNumber: t.exposeString('toNumber', { description: 'The number dialed (E.164).' }),
  }),
});

export const CallRef = builder.prismaNode('Call', {
  description:
    'One contact of a campaign and everything the dialer did about it: status, result, attempts. Skipped contacts (invalid number, duplicate, do-not-call) are calls too, with status SKIPPED.',
  id: { field: 'id' },
  // Scoped through the campaign: another organisation’s call id reads as null (see CallAttempt).
  findUnique: (id, ctx) => ({ id: nodeId(id), campaign: { organizationId: ctx.orgId } }),
  nullable: true,
  fields: (t) => ({
    campaign: t.relation('campaign', { description: 'The campaign the call belongs to.' }),
    name: t.exposeString('name', { description: 'Contact name as imported ("" when none was given).' }),
    phoneNumber: t.exposeString('phoneNumber', {
      description: 'E.164 number (e.g. +14155550123); as given when it was invalid (then the call is SKIPPED / INVALID_NUMBER).',
    }),
    status: t.expose('status', { type: CallStatusEnum, description: 'Where the call stands.' }),
    outcome: t.expose('outcome', {
      type: CallOutcomeEnum,
      nullable: true,
      description: 'Result of the call (of its latest attempt while retries remain); null until there is one.',
    }),
    attemptCount: t.exposeInt('attemptCount', { description: 'Dials placed so far, test calls excluded.' }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due (a RETRY_SCHEDULED call, or one held back until its calling window opens); null when none is scheduled.',
    }),
    processedAt: t.expose('processedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the call reached a final status (COMPLETED, FAILED, SKIPPED, CANCELED); null before.',
    }),
    durationSeconds: t.exposeInt('durationSeconds', {
      description: 'Connected talk time over all attempts, in seconds; dials that never connected count zero.',
    }),
    connected: t.exposeBoolean('connected', { description: 'A person or a voicemail answered at least one attempt.' }),
    variables: t.expose('variables', {
      type: 'JSON',
      description: 'The contact’s extra columns as { name: value }, available to the agent’s script.',
    }),
    timezone: t.exposeString('timezone', {
      nullable: true,
      description: 'The contact’s IANA time zone; null means the campaign’s zone applies to the calling window.',
    }),
    position: t.exposeInt('position', {
      description: 'Order in which the contact was added to the campaign, 1 for the first, continuing across uploads.',
    }),
    attempts: t.relation('attempts', {
      description: 'Every dial of this call, first attempt first (test calls are not listed).',
      query: { where: { isTest: false }, orderBy: { number: 'asc' } },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the contact was added.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change of the call row.' }),
  }),
});
