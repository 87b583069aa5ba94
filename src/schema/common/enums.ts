import { CAMPAIGN_ACTIONS } from '../../domain/lifecycle.ts';
import { AnsweredBy, CallOutcome, CallStatus, CampaignStatus, PauseReason, TelephonyStatus } from '../../db/generated/prisma/enums.ts';
import { builder } from '../builder.ts';

export const CampaignStatusEnum = builder.enumType(CampaignStatus, {
  name: 'CampaignStatus',
  description:
    'DRAFT → SCHEDULED → RUNNING ⇄ PAUSED → COMPLETED | CANCELED. A CANCELED campaign never dials again; COMPLETED can be reopened by retryFailedCalls.',
});

export const CampaignActionEnum = builder.enumType('CampaignAction', {
  description: 'A lifecycle action, as named in InvalidCampaignTransition.',
  values: CAMPAIGN_ACTIONS,
});

export const PauseReasonEnum = builder.enumType(PauseReason, {
  name: 'PauseReason',
  description: 'Why a campaign is PAUSED.',
});

export const CallStatusEnum = builder.enumType(CallStatus, {
  name: 'CallStatus',
  description:
    'PENDING (not dialed yet), IN_PROGRESS, RETRY_SCHEDULED (another attempt scheduled), then one of COMPLETED, FAILED, SKIPPED (never dialed: invalid, duplicate, do-not-call) or CANCELED (campaign stopped).',
});

export const CallOutcomeEnum = builder.enumType(CallOutcome, {
  name: 'CallOutcome',
  description:
    'The result of a call: how the conversation ended, why it failed, or why it was skipped (INVALID_NUMBER, DUPLICATE, DO_NOT_CALL) or not dialed (NOT_DIALED).',
});

export const TelephonyStatusEnum = builder.enumType(TelephonyStatus, {
  name: 'TelephonyStatus',
  description: 'The telephony provider’s status of one dial.',
});

export const AnsweredByEnum = builder.enumType(AnsweredBy, {
  name: 'AnsweredBy',
  description: 'Who picked up: a person or a machine (voicemail).',
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } },
});

export const TimezoneSourceEnum = builder.enumType('TimezoneSource', {
  description: 'Where a recipient’s time zone comes from.',
  values: {
    CONTACT: { description: 'The contact’s own zone, given with the upload.' },
    PHONE_NUMBER: { description: 'The phone number: its country, and for countries spanning several zones its area code.' },
    CAMPAIGN: { description: 'The campaign’s zone: the number gave nothing.' },
  } as const,
});
