import type { App } from '../app.ts';
import type { Campaign, PauseReason, Prisma } from '../db/generated/prisma/client.ts';
import { literalList } from '../db/sql-literals.ts';
import { TX, type Tx } from '../db/transactions.ts';
import { CallsStillOpenError, DomainError, InvalidCampaignTransitionError, ValidationError, VersionConflictError } from '../domain/errors.ts';
import { actionBlocker, transition, WAITING_CALL_STATUSES, type CampaignAction } from '../domain/lifecycle.ts';
import { appendEvent, withEvents } from '../realtime/event-log.ts';
import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import { type Actor, recordAudit } from './audit.ts';
import { requireBalance } from './billing.ts';
import { campaignStatusData, enqueueWebhooks } from './webhooks.ts';
import { lockLiveCampaign, openCallCounts, type LockedCampaign } from './campaign-lock.ts';

/** The scheduler's START lost a race with a reschedule: the campaign is no longer due. */
export class NotDueError extends DomainError {
  constructor(readonly campaignId: string) {
    super(`campaign ${campaignId} is not due to start any more`);
    this.name = 'NotDue';
  }
}

export interface ActionInput {
  /** Null for actions the system takes (scheduler, dialer), which may touch any organisation. */
  orgId: string | null;
  campaignId: string;
  action: CampaignAction;
  expectedVersion?: number | null;
  startAt?: Date;
  pauseReason?: PauseReason;
  /** Whom the audit log names: the API key of the request; null or absent for callboard itself. */
  actor?: Actor | null;
  /** RESUME only a campaign paused for this reason (the system resuming what it paused, never a manual pause). */
  onlyIfPausedFor?: PauseReason;
  /**
   * START only if the campaign is still scheduled at or before this instant (the scheduler): a
   * campaign rescheduled to later between the scheduler's read and its lock must not start now.
   */
  dueBy?: Date;
}

/**
 * Applies one lifecycle action: lock, check (expectedVersion, state machine, preconditions),
 * apply side effects on calls, bump the version, append an event — all in one transaction, so a
 * crash between any two statements leaves the campaign as it was. Events are published after
 * commit.
 */
export async function performAction(app: App, input: ActionInput): Promise<Campaign> {
  return withEvents(app, TX.locked, (tx, events) => applyAction(tx, input, events));
}

/** performAction inside the caller's transaction; the events to publish after commit go to `events`. */
export async function applyAction(tx: Tx, input: ActionInput, events: CampaignEventMessage[]): Promise<Campaign> {
  return applyToLocked(tx, await lockLiveCampaign(tx, input.orgId, input.campaignId), input, events);
}

async function applyToLocked(tx: Tx, current: LockedCampaign, input: ActionInput, events: CampaignEventMessage[]): Promise<Campaign> {
  if (input.expectedVersion != null && current.version !== input.expectedVersion) {
    throw new VersionConflictError(current.version);
  }
  const step = transition(current.status, input.action);
  if (!step.ok) throw new InvalidCampaignTransitionError(current.status, input.action);
  const data = await EFFECTS[input.action](tx, current, input);
  const updated = await tx.campaign.update({
    where: { id: current.id },
    data: { ...data, status: step.to, version: { increment: 1 } },
  });
  events.push(await appendEvent(tx, current.id, `CAMPAIGN_${input.action}`));
  if (step.to !== current.status) {
    const change = { from: current.status, to: step.to, action: input.action, pauseReason: updated.pauseReason };
    await enqueueWebhooks(tx, current.organization_id, 'CAMPAIGN_STATUS_CHANGED', current.id, async () => [campaignStatusData(updated, change)]);
  }
  await recordAudit(tx, current.organization_id, input.actor, {
    action: `campaign.${input.action.toLowerCase()}`,
    targetType: 'Campaign',
    targetId: current.id,
    before: { status: current.status, version: current.version, pauseReason: current.pause_reason },
    after: { status: updated.status, version: updated.version, pauseReason: updated.pauseReason },
  });
  current.status = step.to;
  return updated;
}

/**
 * Completion, inside the caller's transaction with the campaign row already locked (the dialer,
 * after the last open call finished): a RUNNING campaign with nothing left to dial becomes
 * COMPLETED through the same transition as every action — same checks, version bump and event.
 * Inline rather than a second transaction, so a crash can never leave a finished campaign RUNNING.
 */
export async function completeIfDone(tx: Tx, campaign: LockedCampaign, events: CampaignEventMessage[]): Promise<boolean> {
  // A continuous campaign (autoComplete false) stays RUNNING, idle, for contacts added later.
  if (campaign.status !== 'RUNNING' || campaign.deleted_at || !campaign.auto_complete) return false;
  if ((await openCallCounts(tx, campaign.id)).open > 0) return false;
  await applyToLocked(tx, campaign, { orgId: null, campaignId: campaign.id, action: 'COMPLETE' }, events);
  return true;
}

/** A campaign is scheduled at most a year ahead: contacts' consent and numbers go stale. */
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;

type Effect = (tx: Tx, campaign: LockedCampaign, input: ActionInput) => Promise<Prisma.CampaignUpdateInput>;

/**
 * Stop: every call not dialed yet, or waiting for a retry, is CANCELED / NOT_DIALED with no wait
 * reason left over (its earlier attempts keep their own outcomes). IN_PROGRESS calls finish.
 */
async function cancelOpenCalls(tx: Tx, campaignId: string) {
  await tx.$executeRaw`
    UPDATE "call" SET status = 'CANCELED', outcome = 'NOT_DIALED', next_attempt_at = NULL, wait_reason = NULL,
           processed_at = now(), updated_at = now()
     WHERE campaign_id = ${campaignId}::uuid AND status IN (${literalList(WAITING_CALL_STATUSES)})`;
}

const EFFECTS: Record<CampaignAction, Effect> = {
  async SCHEDULE(_tx, _c, input) {
    if (!input.startAt || input.startAt.getTime() <= Date.now()) {
      throw ValidationError.of(['startAt'], 'startAt must be in the future');
    }
    if (input.startAt.getTime() > Date.now() + MAX_SCHEDULE_AHEAD_MS) {
      throw ValidationError.of(['startAt'], 'startAt must be within a year');
    }
    return { scheduledAt: input.startAt, scheduleProblem: null };
  },
  async START(tx, c, input) {
    if (input.dueBy && (c.status !== 'SCHEDULED' || !c.scheduled_at || c.scheduled_at > input.dueBy)) {
      throw new NotDueError(c.id);
    }
    const facts = { agentAssigned: Boolean(c.agent_id), autoComplete: c.auto_complete, openCalls: 0, failedCalls: 0 };
    if (facts.agentAssigned && facts.autoComplete) facts.openCalls = (await openCallCounts(tx, c.id)).open;
    const blocker = actionBlocker('START', facts);
    if (blocker) throw ValidationError.of([facts.agentAssigned ? 'id' : 'agentId'], blocker);
    await requireBalance(tx, c.organization_id);
    return { startedAt: new Date(), pauseReason: null, scheduleProblem: null };
  },
  async PAUSE(_tx, _c, input) {
    return { pauseReason: input.pauseReason ?? 'MANUAL' };
  },
  async RESUME(tx, c, input) {
    if (input.onlyIfPausedFor && c.pause_reason !== input.onlyIfPausedFor) throw new InvalidCampaignTransitionError(c.status, 'RESUME');
    await requireBalance(tx, c.organization_id);
    return { pauseReason: null };
  },
  async STOP(tx, c) {
    await cancelOpenCalls(tx, c.id);
    return { canceledAt: new Date(), pauseReason: null };
  },
  async RETRY_FAILED(tx, c) {
    // Reopening a COMPLETED campaign makes it RUNNING, which start and resume refuse at zero balance.
    if (c.status === 'COMPLETED') await requireBalance(tx, c.organization_id);
    // A fresh attempt budget: attempts made so far no longer count against maxAttempts.
    const retried = await tx.$executeRaw`
      UPDATE "call" SET status = 'PENDING', outcome = NULL, attempt_base = attempt_count,
             next_attempt_at = NULL, processed_at = NULL, updated_at = now()
       WHERE campaign_id = ${c.id}::uuid AND status = 'FAILED'`;
    const blocker = actionBlocker('RETRY_FAILED', { agentAssigned: true, autoComplete: c.auto_complete, openCalls: 0, failedCalls: retried });
    if (blocker) throw ValidationError.of(['id'], blocker);
    return c.status === 'COMPLETED' ? { completedAt: null } : {};
  },
  async DELETE(tx, c) {
    const live = c.status !== 'COMPLETED' && c.status !== 'CANCELED';
    if (live) await cancelOpenCalls(tx, c.id);
    return { deletedAt: new Date(), ...(live ? { canceledAt: new Date(), pauseReason: null } : {}) };
  },
  async COMPLETE(tx, c) {
    const { open } = await openCallCounts(tx, c.id);
    if (open > 0) throw new CallsStillOpenError(open);
    return { completedAt: new Date() };
  },
  async EDIT() {
    return {};
  },
  async ADD_CONTACTS() {
    return {};
  },
  // duplicateCampaign (services/duplicate.ts) makes a new campaign and leaves this one as it is.
  async DUPLICATE() {
    return {};
  },
};
