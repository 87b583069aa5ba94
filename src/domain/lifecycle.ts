/**
 * The campaign lifecycle: one pure state machine used by every mutation, the scheduler and the
 * dialer. DRAFT → SCHEDULED → RUNNING ⇄ PAUSED → COMPLETED | CANCELED (see DESIGN.md).
 */
export const CAMPAIGN_STATUSES = ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const CAMPAIGN_ACTIONS = [
  'SCHEDULE',
  'START',
  'PAUSE',
  'RESUME',
  'STOP',
  'RETRY_FAILED',
  'DELETE',
  /** Issued by the system, not by users: the last open call of a running campaign finished. */
  'COMPLETE',
  /**
   * Name, agent and settings may change while the campaign can still place calls — COMPLETED
   * included, since retryFailed reopens it (change maxAttempts, then retry). CANCELED is final.
   */
  'EDIT',
  /** Contacts may be added while the campaign has not finished. */
  'ADD_CONTACTS',
  /** A copy (duplicateCampaign) may be made of any campaign; the original does not change. */
  'DUPLICATE',
] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

type Table = Record<CampaignAction, readonly CampaignStatus[]>;

/** For each action, the statuses it may be applied in. Everything else is illegal. */
const ALLOWED_FROM: Table = {
  SCHEDULE: ['DRAFT', 'SCHEDULED'],
  START: ['DRAFT', 'SCHEDULED'],
  PAUSE: ['RUNNING'],
  RESUME: ['PAUSED'],
  STOP: ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED'],
  // A finished campaign goes back to RUNNING to retry its failures; a paused one stays paused.
  RETRY_FAILED: ['RUNNING', 'PAUSED', 'COMPLETED'],
  // Deleting stops first, so any status may be deleted (already-deleted is checked by callers).
  DELETE: CAMPAIGN_STATUSES,
  COMPLETE: ['RUNNING'],
  EDIT: ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED'],
  ADD_CONTACTS: ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED'],
  DUPLICATE: CAMPAIGN_STATUSES,
};

export type Transition = { ok: true; from: CampaignStatus; to: CampaignStatus } | { ok: false; from: CampaignStatus; action: CampaignAction };

/** The status a campaign in `from` moves to under `action`, or why it cannot. */
export function transition(from: CampaignStatus, action: CampaignAction): Transition {
  if (!ALLOWED_FROM[action].includes(from)) return { ok: false, from, action };
  return { ok: true, from, to: target(from, action) };
}

function target(from: CampaignStatus, action: CampaignAction): CampaignStatus {
  switch (action) {
    case 'SCHEDULE':
      return 'SCHEDULED';
    case 'START':
    case 'RESUME':
      return 'RUNNING';
    case 'PAUSE':
      return 'PAUSED';
    case 'STOP':
      return 'CANCELED';
    case 'COMPLETE':
      return 'COMPLETED';
    case 'RETRY_FAILED':
      return from === 'COMPLETED' ? 'RUNNING' : from;
    case 'DELETE':
      // Stopping a live campaign first; a finished one keeps its final status.
      return from === 'COMPLETED' || from === 'CANCELED' ? from : 'CANCELED';
    case 'EDIT':
    case 'ADD_CONTACTS':
    case 'DUPLICATE':
      return from;
  }
}

/** What beyond its status decides whether an action applies to a campaign. */
export type CampaignFacts = {
  status: CampaignStatus;
  deleted: boolean;
  agentAssigned: boolean;
  autoComplete: boolean;
  /** Calls waiting or in progress. */
  openCalls: number;
  failedCalls: number;
};

/**
 * Why `action` would be refused although the status allows it, or null. The lifecycle service
 * refuses with these reasons, and availableActions hides the buttons for them: one rule for both.
 * (Running out of minutes is not here: it is the organisation's, and can change at any moment.)
 */
export function actionBlocker(action: CampaignAction, f: Omit<CampaignFacts, 'status' | 'deleted'>): string | null {
  switch (action) {
    case 'START':
      if (!f.agentAssigned) return 'the campaign has no agent: assign one before starting it';
      // A continuous campaign may start empty: it waits, idle, for the contacts a CRM will add.
      return f.autoComplete && f.openCalls === 0 ? 'the campaign has no contacts left to call' : null;
    case 'RETRY_FAILED':
      return f.failedCalls === 0 ? 'the campaign has no failed calls to retry' : null;
    case 'COMPLETE':
      return f.openCalls > 0 ? `${f.openCalls} calls are still open` : null;
    default:
      return null;
  }
}

/** The actions a person can take on a campaign now, in button order: what a page shows. */
export const USER_ACTIONS = [
  'START',
  'SCHEDULE',
  'PAUSE',
  'RESUME',
  'STOP',
  'RETRY_FAILED',
  'COMPLETE',
  'DUPLICATE',
  'DELETE',
] as const satisfies readonly CampaignAction[];

export function availableActions(f: CampaignFacts): CampaignAction[] {
  // A deleted campaign stays readable by id; only a copy can be made of it.
  if (f.deleted) return ['DUPLICATE'];
  return USER_ACTIONS.filter((action) => {
    if (!transition(f.status, action).ok || actionBlocker(action, f)) return false;
    // A campaign that completes by itself offers no "complete" button.
    return action !== 'COMPLETE' || !f.autoComplete;
  });
}

/** Statuses in which the dialer may place new calls. */
export const DIALABLE: readonly CampaignStatus[] = ['RUNNING'];

/** A campaign in a terminal status never dials again (CANCELED cannot be resumed). */
export function isTerminal(status: CampaignStatus): boolean {
  return status === 'CANCELED';
}

/** Call statuses of calls waiting to be dialed (first attempt or a retry): the dialer's queue. */
export const WAITING_CALL_STATUSES = ['PENDING', 'RETRY_SCHEDULED'] as const;
/** Call statuses of calls still to be worked on: waiting, or in progress. A campaign with none
 * has nothing left to do (it completes); start refuses one without any. */
export const OPEN_CALL_STATUSES = [...WAITING_CALL_STATUSES, 'IN_PROGRESS'] as const;
