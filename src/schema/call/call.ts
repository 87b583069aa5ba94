import { builder } from '../builder.ts';
import { recipientZones } from '../../domain/recipient-zone.ts';
import { AnsweredByEnum, CallOutcomeEnum, CallStatusEnum, TelephonyStatusEnum, TimezoneSourceEnum } from '../common/enums.ts';
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
    recordingUrl: t.exposeString('recordingUrl', {
      nullable: true,
      description: 'Where the provider keeps the recording of the call (Retell’s recording_url); null when there is none.',
    }),
    costCents: t.exposeFloat('costCents', {
      nullable: true,
      description: 'What the provider charged for this attempt, in cents (Retell’s combined cost); null when it does not say (the simulator).',
    }),
    recipientTimezone: t.exposeString('recipientTimezone', {
      nullable: true,
      description:
        'Compliance evidence: the recipient’s time zone the dial was judged in (the westernmost when the number may be in several; see recipientTimezones); null for attempts made before callboard recorded it.',
    }),
    recipientTimezones: t.exposeStringList('recipientTimezones', {
      description: 'Compliance evidence: every zone the recipient may be in; the window was open in all of them when the call was claimed.',
    }),
    recipientLocalTime: t.exposeString('recipientLocalTime', {
      nullable: true,
      description: 'Compliance evidence: the recipient’s local date and time (ISO, no offset) in recipientTimezone when the call was claimed for dialing.',
    }),
    callingWindow: t.expose('callingWindow', {
      type: 'JSON',
      nullable: true,
      description:
        'Compliance evidence: the calling window applied, { days (ISO weekdays), start, end ("HH:MM" local), legalHours (the 08:00–21:00 bound was applied), timezoneSource }.',
    }),
    dncCheckedAt: t.expose('dncCheckedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Compliance evidence: when the do-not-call list was checked for this dial (in the same transaction that claimed it).',
    }),
    callbackAt: t.expose('callbackAt', {
      type: 'DateTime',
      nullable: true,
      description: 'CALLBACK_REQUESTED: when the person asked to be called back, as the provider understood it; null otherwise.',
    }),
    isTest: t.exposeBoolean('isTest', { description: 'A test call (placeTestCall): outside the campaign’s calls and stats.' }),
    toNumber: t.exposeString('toNumber', { description: 'The number dialed (E.164).' }),
  }),
});

// Loaded with the call in the same query (no extra round trip per call).
const RECIPIENT_SELECT = { timezone: true, phoneNumber: true, campaign: { select: { timezone: true } } } as const;
const zonesOf = (call: { timezone: string | null; phoneNumber: string; campaign: { timezone: string } }) =>
  recipientZones(call.timezone, call.phoneNumber, call.campaign.timezone);

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
    callbackAt: t.expose('callbackAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'The time the person last asked to be called back at (null if they never named one). The call is dialed then, or at the next opening of their calling window (see nextAttemptAt, waitReason).',
    }),
    callbacksUsed: t.exposeInt('callbacksUsed', { description: 'Callbacks scheduled at the person’s request so far (at most settings.maxCallbacks).' }),
    connected: t.exposeBoolean('connected', { description: 'A person or a voicemail answered at least one attempt.' }),
    variables: t.expose('variables', {
      type: 'JSON',
      description: 'The contact’s extra columns as { name: value }, available to the agent’s script.',
    }),
    timezone: t.string({
      select: RECIPIENT_SELECT,
      description:
        'The recipient’s effective IANA time zone, in which the calling window is judged: the contact’s own, else the phone number’s, else the campaign’s (see timezoneSource). When the number may be in several zones, the westernmost; timezones lists them all.',
      resolve: (call) => zonesOf(call).zones[0]!,
    }),
    timezones: t.stringList({
      select: RECIPIENT_SELECT,
      description: 'Every zone the recipient may be in (one, unless the number spans several); calls are placed only while the window is open in all of them.',
      resolve: (call) => zonesOf(call).zones,
    }),
    timezoneSource: t.field({
      type: TimezoneSourceEnum,
      select: RECIPIENT_SELECT,
      description: 'Where timezone comes from: CONTACT (the upload gave one), PHONE_NUMBER (country and area code), CAMPAIGN (the number says nothing).',
      resolve: (call) => zonesOf(call).source,
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
