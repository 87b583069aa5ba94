import type { App } from '../app.ts';
import type { Campaign, CampaignStatus, PauseReason, Prisma } from '../db/generated/prisma/client.ts';
import {
  DomainError,
  InsufficientBalanceError,
  InvalidCampaignTransitionError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../domain/errors.ts';
import { transition, type CampaignAction } from '../domain/lifecycle.ts';
import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import { appendEvent, publishEvents, type Tx } from './events.ts';

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
  /**
   * START only if the campaign is still scheduled at or before this instant (the scheduler): a
   * campaign rescheduled to later between the scheduler's read and its lock must not start now.
   */
  dueBy?: Date;
}

/**
 * A stop or retry may touch a million call rows in one statement, and every writer of a campaign
 * queues on its row lock (or, on PGlite, on the single connection): Prisma's defaults (5 s, 2 s
 * to start) can fail a burst of a few dozen concurrent mutations with an internal error.
 */
export const TX_OPTIONS = { timeout: 120_000, maxWait: 30_000 };

type Locked = {
  id: string;
  organization_id: string;
  status: CampaignStatus;
  version: number;
  scheduled_at: Date | null;
  deleted_at: Date | null;
};

/** Locks the campaign row for the rest of the transaction; concurrent actions queue behind it. */
export async function lockCampaign(tx: Tx, orgId: string | null, campaignId: string): Promise<Locked> {
  const [row] = await tx.$queryRaw<Locked[]>`
    SELECT id, organization_id, status, version, scheduled_at, deleted_at FROM campaign
     WHERE id = ${campaignId}::uuid FOR UPDATE`;
  if (!row || row.deleted_at || (orgId && row.organization_id !== orgId)) throw new NotFoundError('Campaign', campaignId);
  return row;
}

/**
 * Applies one lifecycle action: lock, check (expectedVersion, state machine, preconditions),
 * apply side effects on calls, bump the version, append an event — all in one transaction, so a
 * crash between any two statements leaves the campaign as it was. Events are published after
 * commit.
 */
export async function performAction(app: App, input: ActionInput): Promise<Campaign> {
  const events: CampaignEventMessage[] = [];
  const campaign = await app.db.prisma.$transaction(async (tx) => {
    const current = await lockCampaign(tx, input.orgId, input.campaignId);
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
    return updated;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return campaign;
}

type Effect = (tx: Tx, campaign: Locked, input: ActionInput) => Promise<Prisma.CampaignUpdateInput>;

async function openCalls(tx: Tx, campaignId: string): Promise<number> {
  const rows = await tx.campaignCallTally.aggregate({
    where: { campaignId, status: { in: ['PENDING', 'RETRY_SCHEDULED', 'IN_PROGRESS'] } },
    _sum: { calls: true },
  });
  return Number(rows._sum.calls ?? 0);
}

async function requireBalance(tx: Tx, organizationId: string) {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { balanceSeconds: true } });
  if (org.balanceSeconds <= 0) throw new InsufficientBalanceError(org.balanceSeconds);
}

/**
 * Stop: every call not dialed yet is canceled with outcome NOT_DIALED; a call waiting for a retry
 * is canceled and keeps its last attempt's outcome. IN_PROGRESS calls finish normally.
 */
async function cancelOpenCalls(tx: Tx, campaignId: string) {
  await tx.$executeRaw`
    UPDATE "call" SET status = 'CANCELED',
           outcome = CASE WHEN attempt_count = 0 THEN 'NOT_DIALED'::"CallOutcome" ELSE outcome END,
           next_attempt_at = NULL, processed_at = now(), updated_at = now()
     WHERE campaign_id = ${campaignId}::uuid AND status IN ('PENDING', 'RETRY_SCHEDULED')`;
}

const EFFECTS: Record<CampaignAction, Effect> = {
  async SCHEDULE(_tx, _c, input) {
    if (!input.startAt || input.startAt.getTime() <= Date.now()) {
      throw ValidationError.of(['startAt'], 'startAt must be in the future');
    }
    return { scheduledAt: input.startAt };
  },
  async START(tx, c, input) {
    if (input.dueBy && (c.status !== 'SCHEDULED' || !c.scheduled_at || c.scheduled_at > input.dueBy)) {
      throw new NotDueError(c.id);
    }
    if ((await openCalls(tx, c.id)) === 0) throw ValidationError.of(['id'], 'the campaign has no contacts left to call');
    await requireBalance(tx, c.organization_id);
    return { startedAt: new Date(), pauseReason: null };
  },
  async PAUSE(_tx, _c, input) {
    return { pauseReason: input.pauseReason ?? 'MANUAL' };
  },
  async RESUME(tx, c) {
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
    if (retried === 0) throw ValidationError.of(['id'], 'the campaign has no failed calls to retry');
    return c.status === 'COMPLETED' ? { completedAt: null } : {};
  },
  async DELETE(tx, c) {
    const live = c.status !== 'COMPLETED' && c.status !== 'CANCELED';
    if (live) await cancelOpenCalls(tx, c.id);
    return { deletedAt: new Date(), ...(live ? { canceledAt: new Date(), pauseReason: null } : {}) };
  },
  async COMPLETE(tx, c) {
    if ((await openCalls(tx, c.id)) > 0) throw new InvalidCampaignTransitionError(c.status, 'COMPLETE');
    return { completedAt: new Date() };
  },
  async EDIT() {
    return {};
  },
  async ADD_CONTACTS() {
    return {};
  },
};
