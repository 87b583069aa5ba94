/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Contacts to append to a campaign (at most 10,000; use importContacts for bigger lists). */
export type AddContactsInput = {
  /** The campaign (DRAFT, SCHEDULED, RUNNING or PAUSED). */
  campaignId: string | number;
  /** The contacts, in the order they should be called. */
  contacts: Array<ContactInput>;
  /** ISO 3166-1 alpha-2 country (e.g. "US") for numbers written without +country code. */
  defaultCountry?: string | null | undefined;
};

/** Who picked up: a person or a machine (voicemail). */
export type AnsweredBy =
  | 'HUMAN'
  | 'MACHINE'
  | 'UNKNOWN';

/** Narrows a campaign’s calls. Conditions combine with AND; list values with OR. */
export type CallFilter = {
  /** Only calls with one of these outcomes. */
  outcomes?: Array<CallOutcome> | null | undefined;
  /** Only calls that reached a final status at or after this instant. */
  processedAfter?: string | null | undefined;
  /** Only calls that reached a final status before this instant (exclusive). */
  processedBefore?: string | null | undefined;
  /** Case-insensitive substring of the contact name or phone number, however the number is typed ("(415) 555" finds +1415555…, "090 5555" finds +81905555…). */
  search?: string | null | undefined;
  /** Only calls in one of these statuses. */
  statuses?: Array<CallStatus> | null | undefined;
};

/** Call sort order (ties broken by id in the same direction). */
export type CallOrder = {
  /** Sort direction. */
  direction: OrderDirection;
  /** Sort key. */
  field: CallOrderField;
};

/** Sort key for calls. Ties are broken by id, so paging is stable. Statuses and outcomes sort in the order their enums list them; missing processedAt/outcome values sort last ascending, first descending. */
export type CallOrderField =
  /** By the time the contact was added; within one upload, in upload order. The default. */
  | 'CREATED_AT'
  /** By contact name. */
  | 'NAME'
  /** By outcome. */
  | 'OUTCOME'
  /** By phone number. */
  | 'PHONE'
  /** By the time the call reached a final status. */
  | 'PROCESSED_AT'
  /** By status (PENDING first ascending). */
  | 'STATUS';

/** The result of a call: how the conversation ended, why it failed, or why it was skipped (INVALID_NUMBER, DUPLICATE, DO_NOT_CALL) or not dialed (NOT_DIALED). */
export type CallOutcome =
  | 'ANSWERED'
  | 'BUSY'
  | 'CALLBACK_REQUESTED'
  | 'DO_NOT_CALL'
  | 'DUPLICATE'
  | 'INVALID_NUMBER'
  | 'ISSUE_DIALING'
  | 'LEFT_MESSAGE'
  | 'MEETING_BOOKED'
  | 'NOT_DIALED'
  | 'NO_ANSWER'
  | 'NO_MESSAGE'
  | 'PLAN_LIMIT_EXCEEDED'
  | 'TECHNICAL_ERROR'
  | 'TRANSFERRED'
  | 'USER_HUNG_UP';

/** PENDING (not dialed yet), IN_PROGRESS, RETRY_SCHEDULED (another attempt scheduled), then one of COMPLETED, FAILED, SKIPPED (never dialed: invalid, duplicate, do-not-call) or CANCELED (campaign stopped). */
export type CallStatus =
  | 'CANCELED'
  | 'COMPLETED'
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'PENDING'
  | 'RETRY_SCHEDULED'
  | 'SKIPPED';

/** When calls may be placed, in the recipient’s local time. */
export type CallingWindowInput = {
  /** Allowed days. */
  days: Array<Weekday>;
  /** Local end, "HH:MM" (after start). */
  end: string;
  /** Local start, "HH:MM". */
  start: string;
};

/** A lifecycle action, as named in InvalidCampaignTransition. */
export type CampaignAction =
  | 'ADD_CONTACTS'
  | 'COMPLETE'
  | 'DELETE'
  | 'DUPLICATE'
  | 'EDIT'
  | 'PAUSE'
  | 'RESUME'
  | 'RETRY_FAILED'
  | 'SCHEDULE'
  | 'START'
  | 'STOP';

/** Narrows the campaign list. */
export type CampaignFilter = {
  /** Include soft-deleted campaigns (default false). */
  includeDeleted?: boolean | null | undefined;
  /** Case-insensitive substring of the name. */
  search?: string | null | undefined;
  /** Only campaigns in one of these statuses. */
  statuses?: Array<CampaignStatus> | null | undefined;
};

/** Campaign settings; omitted fields keep their current (or default) value. */
export type CampaignSettingsInput = {
  /** Default true. false keeps the campaign RUNNING when nothing is left to dial, for contacts added later (finish it with completeCampaign). */
  autoComplete?: boolean | null | undefined;
  /** Default: weekdays 09:00–20:00. */
  callingWindow?: CallingWindowInput | null | undefined;
  /** Default true: never call outside 08:00–21:00 recipient-local. Set false only where the law of every recipient allows other hours and you take responsibility for it. */
  clampToLegalHours?: boolean | null | undefined;
  /** Dials per contact, 1–20 (default 3). */
  maxAttempts?: number | null | undefined;
  /** Callbacks per contact at the time the person asked for, 0–5 (default 1). */
  maxCallbacks?: number | null | undefined;
  /** Concurrent calls, 1–1000 (default 10). */
  maxConcurrentCalls?: number | null | undefined;
  /** Per-outcome retry overrides { OUTCOME: { delaySeconds, maxAttempts } }. */
  retryPolicy?: unknown;
  /** IANA time zone, e.g. "America/New_York" (default UTC). */
  timezone?: string | null | undefined;
};

/** DRAFT → SCHEDULED → RUNNING ⇄ PAUSED → COMPLETED | CANCELED. A CANCELED campaign never dials again; COMPLETED can be reopened by retryFailedCalls. */
export type CampaignStatus =
  | 'CANCELED'
  | 'COMPLETED'
  | 'DRAFT'
  | 'PAUSED'
  | 'RUNNING'
  | 'SCHEDULED';

/** One contact to call. */
export type ContactInput = {
  /** Name, used by the agent to greet (up to 200 characters; longer is cut, with a warning). */
  name?: string | null | undefined;
  /** Phone number, international (+14155550123) or national with `defaultCountry`. Invalid numbers are stored as SKIPPED / INVALID_NUMBER. */
  phoneNumber: string;
  /** IANA time zone of the contact for the calling window; an unknown zone is dropped (the campaign’s applies) and reported in `warnings`. */
  timezone?: string | null | undefined;
  /** Extra values for the agent’s script, as a JSON object { name: value } (up to 16 KB). */
  variables?: unknown;
};

/** A new agent. */
export type CreateAgentInput = {
  /** Display name. */
  name: string;
  /** The provider’s agent to dial with (Retell agent_id); default none. */
  providerAgentId?: string | null | undefined;
  /** Prompt/script (up to 100,000 characters). */
  script?: string | null | undefined;
  /** Voice identifier (default "alloy"). */
  voice?: string | null | undefined;
};

/** A new campaign, created in DRAFT. */
export type CreateCampaignInput = {
  /** The AI agent that will place the calls. */
  agentId?: string | number | null | undefined;
  /** Display name. */
  name: string;
  /** Dialing settings (defaults apply to what is omitted). */
  settings?: CampaignSettingsInput | null | undefined;
};

/** Sort direction. */
export type OrderDirection =
  /** Ascending. */
  | 'ASC'
  /** Descending. */
  | 'DESC';

/** Why a campaign is PAUSED. */
export type PauseReason =
  | 'MANUAL'
  | 'OUT_OF_MINUTES'
  | 'SYSTEM_FAILURE';

/** A day of the week, in the recipient’s local time. */
export type Weekday =
  | 'FRIDAY'
  | 'MONDAY'
  | 'SATURDAY'
  | 'SUNDAY'
  | 'THURSDAY'
  | 'TUESDAY'
  | 'WEDNESDAY';

export type CallRowFragment = { id: string, name: string, phoneNumber: string, status: CallStatus, outcome: CallOutcome | null, attemptCount: number, durationSeconds: number, processedAt: string | null, waitReason: string | null };

export type CampaignCallsQueryVariables = Exact<{
  id: string | number;
  filter?: CallFilter | null | undefined;
  orderBy?: CallOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type CampaignCallsQuery = { campaign: { id: string, calls: { totalCount: number, edges: Array<{ node: { id: string, name: string, phoneNumber: string, status: CallStatus, outcome: CallOutcome | null, attemptCount: number, durationSeconds: number, processedAt: string | null, waitReason: string | null } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } } | null };

export type CallAttemptsQueryVariables = Exact<{
  id: string | number;
}>;


export type CallAttemptsQuery = { node:
    | { id: string, name: string, phoneNumber: string, attempts: Array<{ id: string, number: number, startedAt: string, endedAt: string | null, outcome: CallOutcome | null, answeredBy: AnsweredBy | null, durationSeconds: number | null, transcript: string | null, summary: string | null, recordingUrl: string | null }> }
    | Record<PropertyKey, never>
   | null };

export type CampaignDetailFragment = { id: string, name: string, status: CampaignStatus, version: number, pauseReason: PauseReason | null, scheduleProblem: string | null, createdAt: string, startedAt: string | null, completedAt: string | null, canceledAt: string | null, deletedAt: string | null, durationSeconds: number | null, availableActions: Array<CampaignAction>, csvUrl: string, jsonUrl: string, pdfUrl: string, agent: { id: string, name: string } | null, stats: { total: number, pending: number, inProgress: number, retryScheduled: number, completed: number, failed: number, skipped: number, canceled: number, totalTimeSpentSeconds: number, successRate: number | null, progress: number, byOutcome: Array<{ outcome: CallOutcome, count: number }> } };

export type HistoryEventFragment = { sequence: number, kind: string, createdAt: string, callStatus: CallStatus | null, call: { id: string, name: string, phoneNumber: string } | null };

export type CampaignPageQueryVariables = Exact<{
  id: string | number;
}>;


export type CampaignPageQuery = { campaign: { id: string, name: string, status: CampaignStatus, version: number, pauseReason: PauseReason | null, scheduleProblem: string | null, createdAt: string, startedAt: string | null, completedAt: string | null, canceledAt: string | null, deletedAt: string | null, durationSeconds: number | null, availableActions: Array<CampaignAction>, csvUrl: string, jsonUrl: string, pdfUrl: string, events: { totalCount: number }, agent: { id: string, name: string } | null, stats: { total: number, pending: number, inProgress: number, retryScheduled: number, completed: number, failed: number, skipped: number, canceled: number, totalTimeSpentSeconds: number, successRate: number | null, progress: number, byOutcome: Array<{ outcome: CallOutcome, count: number }> } } | null };

export type CampaignLiveSubscriptionVariables = Exact<{
  id: string | number;
  after?: number | null | undefined;
}>;


export type CampaignLiveSubscription = { campaignEvents: { sequence: number, kind: string, createdAt: string, callStatus: CallStatus | null, campaign: { id: string, name: string, status: CampaignStatus, version: number, pauseReason: PauseReason | null, scheduleProblem: string | null, createdAt: string, startedAt: string | null, completedAt: string | null, canceledAt: string | null, deletedAt: string | null, durationSeconds: number | null, availableActions: Array<CampaignAction>, csvUrl: string, jsonUrl: string, pdfUrl: string, agent: { id: string, name: string } | null, stats: { total: number, pending: number, inProgress: number, retryScheduled: number, completed: number, failed: number, skipped: number, canceled: number, totalTimeSpentSeconds: number, successRate: number | null, progress: number, byOutcome: Array<{ outcome: CallOutcome, count: number }> } }, call: { id: string, name: string, phoneNumber: string } | null } };

export type CampaignRowFragment = { id: string, name: string, status: CampaignStatus, createdAt: string, deletedAt: string | null, agent: { id: string, name: string } | null, stats: { total: number, completed: number, failed: number, progress: number } };

export type CampaignListQueryVariables = Exact<{
  filter?: CampaignFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CampaignListQuery = { campaigns: { totalCount: number, edges: Array<{ node: { id: string, name: string, status: CampaignStatus, createdAt: string, deletedAt: string | null, agent: { id: string, name: string } | null, stats: { total: number, completed: number, failed: number, progress: number } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CampaignsUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type CampaignsUpdatedSubscription = { campaignsUpdated: { id: string, name: string, status: CampaignStatus, createdAt: string, deletedAt: string | null, agent: { id: string, name: string } | null, stats: { total: number, completed: number, failed: number, progress: number } } };

export type SignedInOrganizationQueryVariables = Exact<{ [key: string]: never; }>;


export type SignedInOrganizationQuery = { organization: { id: string, name: string, balanceMinutes: number } };

type ActionError_CallsStillOpen_Fragment = { message: string };

type ActionError_InsufficientBalance_Fragment = { message: string };

type ActionError_InvalidCampaignTransition_Fragment = { message: string };

type ActionError_NotFound_Fragment = { message: string };

type ActionError_OutsideCallingWindow_Fragment = { message: string };

type ActionError_ValidationError_Fragment = { message: string };

type ActionError_VersionConflict_Fragment = { message: string };

export type ActionErrorFragment =
  | ActionError_CallsStillOpen_Fragment
  | ActionError_InsufficientBalance_Fragment
  | ActionError_InvalidCampaignTransition_Fragment
  | ActionError_NotFound_Fragment
  | ActionError_OutsideCallingWindow_Fragment
  | ActionError_ValidationError_Fragment
  | ActionError_VersionConflict_Fragment
;

export type StartCampaignMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type StartCampaignMutation = { startCampaign:
    | { __typename: 'InsufficientBalance', message: string }
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'StartCampaignPayload' }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type PauseCampaignMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type PauseCampaignMutation = { pauseCampaign:
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'PauseCampaignPayload' }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type ResumeCampaignMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type ResumeCampaignMutation = { resumeCampaign:
    | { __typename: 'InsufficientBalance', message: string }
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ResumeCampaignPayload' }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type StopCampaignMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type StopCampaignMutation = { stopCampaign:
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'StopCampaignPayload' }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type RetryFailedCallsMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type RetryFailedCallsMutation = { retryFailedCalls:
    | { __typename: 'InsufficientBalance', message: string }
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'RetryFailedCallsPayload' }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type CompleteCampaignMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type CompleteCampaignMutation = { completeCampaign:
    | { __typename: 'CallsStillOpen', message: string }
    | { __typename: 'CompleteCampaignPayload' }
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type DuplicateCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type DuplicateCampaignMutation = { duplicateCampaign:
    | { __typename: 'DuplicateCampaignPayload', campaign: { id: string } }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type DeleteCampaignMutationVariables = Exact<{
  id: string | number;
  version?: number | null | undefined;
}>;


export type DeleteCampaignMutation = { deleteCampaign:
    | { __typename: 'DeleteCampaignPayload' }
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ValidationError', message: string }
    | { __typename: 'VersionConflict', message: string }
   };

export type CreateDemoAgentMutationVariables = Exact<{
  input: CreateAgentInput;
}>;


export type CreateDemoAgentMutation = { createAgent:
    | { __typename: 'CreateAgentPayload', agent: { id: string } }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type CreateDemoCampaignMutationVariables = Exact<{
  input: CreateCampaignInput;
}>;


export type CreateDemoCampaignMutation = { createCampaign:
    | { __typename: 'CreateCampaignPayload', campaign: { id: string } }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type AddDemoContactsMutationVariables = Exact<{
  input: AddContactsInput;
}>;


export type AddDemoContactsMutation = { addContacts:
    | { __typename: 'AddContactsPayload', added: number }
    | { __typename: 'InvalidCampaignTransition', message: string }
    | { __typename: 'NotFound', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CallRowFragmentDoc = new TypedDocumentString(`
    fragment CallRow on Call {
  id
  name
  phoneNumber
  status
  outcome
  attemptCount
  durationSeconds
  processedAt
  waitReason
}
    `, {"fragmentName":"CallRow"}) as unknown as TypedDocumentString<CallRowFragment, unknown>;
export const CampaignDetailFragmentDoc = new TypedDocumentString(`
    fragment CampaignDetail on Campaign {
  id
  name
  status
  version
  pauseReason
  scheduleProblem
  createdAt
  startedAt
  completedAt
  canceledAt
  deletedAt
  durationSeconds
  availableActions
  agent {
    id
    name
  }
  stats {
    total
    pending
    inProgress
    retryScheduled
    completed
    failed
    skipped
    canceled
    totalTimeSpentSeconds
    successRate
    progress
    byOutcome {
      outcome
      count
    }
  }
  csvUrl: exportUrl(format: CSV)
  jsonUrl: exportUrl(format: JSON)
  pdfUrl: exportUrl(format: PDF)
}
    `, {"fragmentName":"CampaignDetail"}) as unknown as TypedDocumentString<CampaignDetailFragment, unknown>;
export const HistoryEventFragmentDoc = new TypedDocumentString(`
    fragment HistoryEvent on CampaignEvent {
  sequence
  kind
  createdAt
  callStatus
  call {
    id
    name
    phoneNumber
  }
}
    `, {"fragmentName":"HistoryEvent"}) as unknown as TypedDocumentString<HistoryEventFragment, unknown>;
export const CampaignRowFragmentDoc = new TypedDocumentString(`
    fragment CampaignRow on Campaign {
  id
  name
  status
  createdAt
  deletedAt
  agent {
    id
    name
  }
  stats {
    total
    completed
    failed
    progress
  }
}
    `, {"fragmentName":"CampaignRow"}) as unknown as TypedDocumentString<CampaignRowFragment, unknown>;
export const ActionErrorFragmentDoc = new TypedDocumentString(`
    fragment ActionError on Error {
  message
}
    `, {"fragmentName":"ActionError"}) as unknown as TypedDocumentString<ActionErrorFragment, unknown>;
export const CampaignCallsDocument = new TypedDocumentString(`
    query CampaignCalls($id: ID!, $filter: CallFilter, $orderBy: CallOrder, $first: Int, $after: String, $last: Int, $before: String) {
  campaign(id: $id) {
    id
    calls(
      filter: $filter
      orderBy: $orderBy
      first: $first
      after: $after
      last: $last
      before: $before
    ) {
      totalCount
      edges {
        node {
          ...CallRow
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
}
    fragment CallRow on Call {
  id
  name
  phoneNumber
  status
  outcome
  attemptCount
  durationSeconds
  processedAt
  waitReason
}`) as unknown as TypedDocumentString<CampaignCallsQuery, CampaignCallsQueryVariables>;
export const CallAttemptsDocument = new TypedDocumentString(`
    query CallAttempts($id: ID!) {
  node(id: $id) {
    ... on Call {
      id
      name
      phoneNumber
      attempts {
        id
        number
        startedAt
        endedAt
        outcome
        answeredBy
        durationSeconds
        transcript
        summary
        recordingUrl
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CallAttemptsQuery, CallAttemptsQueryVariables>;
export const CampaignPageDocument = new TypedDocumentString(`
    query CampaignPage($id: ID!) {
  campaign(id: $id) {
    ...CampaignDetail
    events(first: 0) {
      totalCount
    }
  }
}
    fragment CampaignDetail on Campaign {
  id
  name
  status
  version
  pauseReason
  scheduleProblem
  createdAt
  startedAt
  completedAt
  canceledAt
  deletedAt
  durationSeconds
  availableActions
  agent {
    id
    name
  }
  stats {
    total
    pending
    inProgress
    retryScheduled
    completed
    failed
    skipped
    canceled
    totalTimeSpentSeconds
    successRate
    progress
    byOutcome {
      outcome
      count
    }
  }
  csvUrl: exportUrl(format: CSV)
  jsonUrl: exportUrl(format: JSON)
  pdfUrl: exportUrl(format: PDF)
}`) as unknown as TypedDocumentString<CampaignPageQuery, CampaignPageQueryVariables>;
export const CampaignLiveDocument = new TypedDocumentString(`
    subscription CampaignLive($id: ID!, $after: Int) {
  campaignEvents(campaignId: $id, after: $after) {
    ...HistoryEvent
    campaign {
      ...CampaignDetail
    }
  }
}
    fragment CampaignDetail on Campaign {
  id
  name
  status
  version
  pauseReason
  scheduleProblem
  createdAt
  startedAt
  completedAt
  canceledAt
  deletedAt
  durationSeconds
  availableActions
  agent {
    id
    name
  }
  stats {
    total
    pending
    inProgress
    retryScheduled
    completed
    failed
    skipped
    canceled
    totalTimeSpentSeconds
    successRate
    progress
    byOutcome {
      outcome
      count
    }
  }
  csvUrl: exportUrl(format: CSV)
  jsonUrl: exportUrl(format: JSON)
  pdfUrl: exportUrl(format: PDF)
}
fragment HistoryEvent on CampaignEvent {
  sequence
  kind
  createdAt
  callStatus
  call {
    id
    name
    phoneNumber
  }
}`) as unknown as TypedDocumentString<CampaignLiveSubscription, CampaignLiveSubscriptionVariables>;
export const CampaignListDocument = new TypedDocumentString(`
    query CampaignList($filter: CampaignFilter, $first: Int, $after: String) {
  campaigns(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      node {
        ...CampaignRow
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment CampaignRow on Campaign {
  id
  name
  status
  createdAt
  deletedAt
  agent {
    id
    name
  }
  stats {
    total
    completed
    failed
    progress
  }
}`) as unknown as TypedDocumentString<CampaignListQuery, CampaignListQueryVariables>;
export const CampaignsUpdatedDocument = new TypedDocumentString(`
    subscription CampaignsUpdated {
  campaignsUpdated {
    ...CampaignRow
  }
}
    fragment CampaignRow on Campaign {
  id
  name
  status
  createdAt
  deletedAt
  agent {
    id
    name
  }
  stats {
    total
    completed
    failed
    progress
  }
}`) as unknown as TypedDocumentString<CampaignsUpdatedSubscription, CampaignsUpdatedSubscriptionVariables>;
export const SignedInOrganizationDocument = new TypedDocumentString(`
    query SignedInOrganization {
  organization {
    id
    name
    balanceMinutes
  }
}
    `) as unknown as TypedDocumentString<SignedInOrganizationQuery, SignedInOrganizationQueryVariables>;
export const StartCampaignDocument = new TypedDocumentString(`
    mutation StartCampaign($id: ID!, $version: Int) {
  startCampaign(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<StartCampaignMutation, StartCampaignMutationVariables>;
export const PauseCampaignDocument = new TypedDocumentString(`
    mutation PauseCampaign($id: ID!, $version: Int) {
  pauseCampaign(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<PauseCampaignMutation, PauseCampaignMutationVariables>;
export const ResumeCampaignDocument = new TypedDocumentString(`
    mutation ResumeCampaign($id: ID!, $version: Int) {
  resumeCampaign(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<ResumeCampaignMutation, ResumeCampaignMutationVariables>;
export const StopCampaignDocument = new TypedDocumentString(`
    mutation StopCampaign($id: ID!, $version: Int) {
  stopCampaign(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<StopCampaignMutation, StopCampaignMutationVariables>;
export const RetryFailedCallsDocument = new TypedDocumentString(`
    mutation RetryFailedCalls($id: ID!, $version: Int) {
  retryFailedCalls(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<RetryFailedCallsMutation, RetryFailedCallsMutationVariables>;
export const CompleteCampaignDocument = new TypedDocumentString(`
    mutation CompleteCampaign($id: ID!, $version: Int) {
  completeCampaign(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<CompleteCampaignMutation, CompleteCampaignMutationVariables>;
export const DuplicateCampaignDocument = new TypedDocumentString(`
    mutation DuplicateCampaign($id: ID!) {
  duplicateCampaign(input: {id: $id}) {
    __typename
    ... on DuplicateCampaignPayload {
      campaign {
        id
      }
    }
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<DuplicateCampaignMutation, DuplicateCampaignMutationVariables>;
export const DeleteCampaignDocument = new TypedDocumentString(`
    mutation DeleteCampaign($id: ID!, $version: Int) {
  deleteCampaign(input: {id: $id, expectedVersion: $version}) {
    __typename
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<DeleteCampaignMutation, DeleteCampaignMutationVariables>;
export const CreateDemoAgentDocument = new TypedDocumentString(`
    mutation CreateDemoAgent($input: CreateAgentInput!) {
  createAgent(input: $input) {
    __typename
    ... on CreateAgentPayload {
      agent {
        id
      }
    }
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<CreateDemoAgentMutation, CreateDemoAgentMutationVariables>;
export const CreateDemoCampaignDocument = new TypedDocumentString(`
    mutation CreateDemoCampaign($input: CreateCampaignInput!) {
  createCampaign(input: $input) {
    __typename
    ... on CreateCampaignPayload {
      campaign {
        id
      }
    }
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<CreateDemoCampaignMutation, CreateDemoCampaignMutationVariables>;
export const AddDemoContactsDocument = new TypedDocumentString(`
    mutation AddDemoContacts($input: AddContactsInput!) {
  addContacts(input: $input) {
    __typename
    ... on AddContactsPayload {
      added
    }
    ...ActionError
  }
}
    fragment ActionError on Error {
  message
}`) as unknown as TypedDocumentString<AddDemoContactsMutation, AddDemoContactsMutationVariables>;