/**
 * Every change the dialer makes to call rows after claiming them: applying a provider's result,
 * putting back a call that was never dialed, and the lease bookkeeping (renew, take over, release).
 *
 * Lock order, as everywhere in callboard: the campaign row first (SELECT … FOR UPDATE), then call
 * rows, then the organisation row. Every writer of call rows queues on the campaign lock, so two
 * of them never hold call rows in opposite orders, and the event sequence stays gapless.
 * Everything here is idempotent: a result applied twice, or by two processes, changes rows once.
 */
import type { App } from '../app.ts';
import type { CampaignStatus } from '../db/generated/prisma/client.ts';
import type { CallResult } from '../dialer/provider.ts';
import { DomainError } from '../domain/errors.ts';
import { transition } from '../domain/lifecycle.ts';
import { decideAfterAttempt, type RetryPolicyInput } from '../domain/retry-policy.ts';
import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import { performAction, TX_OPTIONS } from './campaign-lifecycle.ts';
import { appendCallEvents } from './call-events.ts';
import { appendEvent, publishEvents, type Tx } from './events.ts';

/** The campaign columns the dialer needs, read under the row lock. */
export type DialerCampaign = {
  id: string;
  organization_id: string;
  status: CampaignStatus;
  deleted_at: Date | null;
  max_attempts: number;
  max_concurrent_calls: number;
  timezone: string;
  calling_days: number[] | null;
  calling_start: number;
  calling_end: number;
  retry_policy: unknown;
  agent_id: string | null;
};

/** Locks the campaign row (whatever its status: paused or stopped campaigns' calls still finish). */
export async function lockDialerCampaign(tx: Tx, campaignId: string): Promise<DialerCampaign | null> {
  const [row] = await tx.$queryRaw<DialerCampaign[]>`
    SELECT id, organization_id, status::text AS status, deleted_at, max_attempts, max_concurrent_calls, timezone,
           calling_days, calling_start, calling_end, retry_policy, agent_id
      FROM campaign WHERE id = ${campaignId}::uuid FOR UPDATE`;
  return row ?? null;
}

/** Calls still to be worked on (PENDING, RETRY_SCHEDULED, IN_PROGRESS), from the counters: O(1). */
export async function openCallCounts(tx: Tx, campaignId: string): Promise<{ open: number; inProgress: number }> {
  const [row] = await tx.$queryRaw<{ open: number; in_progress: number }[]>`
    SELECT coalesce(sum(calls), 0)::int AS open,
           coalesce(sum(calls) FILTER (WHERE status = 'IN_PROGRESS'), 0)::int AS in_progress
      FROM campaign_call_tally
     WHERE campaign_id = ${campaignId}::uuid AND status IN ('PENDING', 'RETRY_SCHEDULED', 'IN_PROGRESS')`;
  return { open: row?.open ?? 0, inProgress: row?.in_progress ?? 0 };
}

/**
 * Auto-complete inside the caller's transaction (campaign row already locked): a RUNNING campaign
 * with nothing left to dial becomes COMPLETED, through the same state machine as every action.
 * Inline rather than a second transaction, so a crash can never leave a finished campaign RUNNING.
 */
export async function completeIfDone(tx: Tx, campaign: DialerCampaign, events: CampaignEventMessage[]): Promise<boolean> {
  if (campaign.status !== 'RUNNING' || campaign.deleted_at) return false;
  if (!transition(campaign.status, 'COMPLETE').ok) return false;
  if ((await openCallCounts(tx, campaign.id)).open > 0) return false;
  await tx.$executeRaw`
    UPDATE campaign SET status = 'COMPLETED', completed_at = now(), version = version + 1, updated_at = now()
     WHERE id = ${campaign.id}::uuid`;
  campaign.status = 'COMPLETED';
  // Same kind performAction would append for COMPLETE.
  events.push(await appendEvent(tx, campaign.id, 'CAMPAIGN_COMPLETE'));
  return true;
}

export type ApplyOutcome = {
  /** Attempts that are over now (applied here, or already finished before): stop tracking them. */
  settled: string[];
  /** Set when this batch took the organisation's balance to zero or below. */
  outOfMinutesOrg: string | null;
  completed: boolean;
};

type OpenRow = { attempt_id: string; call_id: string; status: string; attempt_count: number; attempt_base: number; ended: boolean };

/**
 * Applies final results of one campaign's calls in one transaction: the attempt gets what the
 * provider reported, the call its next status from the retry policy, the organisation is billed
 * the connected seconds, and the campaign completes when nothing is left. A result for an attempt
 * that is already over (a duplicate, or one another process applied) changes nothing.
 */
export async function applyCallResults(app: App, campaignId: string, results: CallResult[], now = new Date()): Promise<ApplyOutcome> {
  const events: CampaignEventMessage[] = [];
  const outcome = await app.db.prisma.$transaction(async (tx): Promise<ApplyOutcome> => {
    const campaign = await lockDialerCampaign(tx, campaignId);
    const settled = results.map((r) => r.attemptId);
    if (!campaign) return { settled, outOfMinutesOrg: null, completed: false };
    const rows = await tx.$queryRaw<OpenRow[]>`
      SELECT a.id AS attempt_id, c.id AS call_id, c.status::text AS status, c.attempt_count, c.attempt_base,
             (a.ended_at IS NOT NULL) AS ended
        FROM call_attempt a JOIN "call" c ON c.id = a.call_id
       WHERE a.id = ANY(${settled}::uuid[]) AND c.campaign_id = ${campaignId}::uuid
         FOR UPDATE OF c`;
    const open = new Map(rows.filter((r) => !r.ended && r.status === 'IN_PROGRESS').map((r) => [r.attempt_id, r]));
    const callUpdates: Record<string, unknown>[] = [];
    const attemptUpdates: Record<string, unknown>[] = [];
    let billed = 0;
    for (const result of results) {
      const row = open.get(result.attemptId);
      if (!row || row.call_id !== result.callId) continue;
      open.delete(result.attemptId); // a duplicate in the same batch applies once
      const connected = result.answeredBy !== null;
      const talk = connected ? Math.max(0, Math.round(result.durationSeconds)) : 0;
      billed += talk;
      const used = row.attempt_count - row.attempt_base;
      const decision = decideAfterAttempt({
        outcome: result.outcome,
        attemptsUsed: used,
        campaignMaxAttempts: campaign.max_attempts,
        policy: campaign.retry_policy as RetryPolicyInput | null,
        now,
      });
      let status: string = decision.status;
      let nextAttemptAt: string | null = null;
      let waitReason: string | null = null;
      if (decision.status === 'RETRY_SCHEDULED') {
        if (campaign.status === 'CANCELED' || campaign.deleted_at) {
          // Stopped while this call was ringing: no further attempt; it keeps this outcome, like
          // the calls the stop canceled while they waited for a retry.
          status = 'CANCELED';
        } else {
          nextAttemptAt = decision.nextAttemptAt.toISOString();
          waitReason = `retry after ${humanize(result.outcome)} (${used} of ${campaign.max_attempts} attempts used)`;
        }
      }
      callUpdates.push({
        id: row.call_id,
        status,
        outcome: decision.outcome,
        next_attempt_at: nextAttemptAt,
        wait_reason: waitReason,
        final: status !== 'RETRY_SCHEDULED',
        connected,
        duration: talk,
      });
      attemptUpdates.push({
        id: result.attemptId,
        provider_call_id: result.providerCallId,
        telephony_status: result.telephonyStatus,
        answered_by: result.answeredBy,
        outcome: result.outcome,
        started_at: result.startedAt.toISOString(),
        answered_at: result.answeredAt?.toISOString() ?? null,
        ended_at: result.endedAt.toISOString(),
        duration_seconds: connected ? talk : null,
        transcript: result.transcript,
        summary: result.summary,
        error_message: result.errorMessage,
      });
    }
    if (callUpdates.length === 0) return { settled, outOfMinutesOrg: null, completed: false };

    await tx.$executeRaw`
      UPDATE call_attempt a
         SET provider_call_id = coalesce(a.provider_call_id, v.provider_call_id),
             telephony_status = v.telephony_status::"TelephonyStatus", answered_by = v.answered_by::"AnsweredBy",
             outcome = v.outcome::"CallOutcome", started_at = v.started_at, answered_at = v.answered_at,
             ended_at = v.ended_at, duration_seconds = v.duration_seconds, transcript = v.transcript,
             summary = v.summary, error_message = v.error_message
        FROM jsonb_to_recordset(${JSON.stringify(attemptUpdates)}::jsonb) AS v(
             id uuid, provider_call_id text, telephony_status text, answered_by text, outcome text,
             started_at timestamptz, answered_at timestamptz, ended_at timestamptz, duration_seconds int,
             transcript text, summary text, error_message text)
       WHERE a.id = v.id`;
    // One statement for the batch: the tally trigger runs once, not once per call.
    await tx.$executeRaw`
      UPDATE "call" c
         SET status = v.status::"CallStatus", outcome = v.outcome::"CallOutcome",
             next_attempt_at = v.next_attempt_at, wait_reason = v.wait_reason,
             processed_at = CASE WHEN v.final THEN now() ELSE NULL END,
             connected = c.connected OR v.connected, duration_seconds = c.duration_seconds + v.duration,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(callUpdates)}::jsonb) AS v(
             id uuid, status text, outcome text, next_attempt_at timestamptz, wait_reason text,
             final boolean, connected boolean, duration int)
       WHERE c.id = v.id`;
    events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', callUpdates.map((u) => ({ id: u.id as string, status: u.status as string })))));

    let outOfMinutesOrg: string | null = null;
    if (billed > 0) {
      const [org] = await tx.$queryRaw<{ balance_seconds: number }[]>`
        UPDATE organization SET balance_seconds = balance_seconds - ${billed}::int
         WHERE id = ${campaign.organization_id}::uuid RETURNING balance_seconds`;
      if (org && org.balance_seconds <= 0) outOfMinutesOrg = campaign.organization_id;
    }
    const completed = await completeIfDone(tx, campaign, events);
    return { settled, outOfMinutesOrg, completed };
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return outcome;
}

function humanize(outcome: string): string {
  return outcome.toLowerCase().replace(/_/g, ' ');
}

/** An attempt row that never became a dial: it stays in the history, marked as such. */
export const NOT_DIALED_MESSAGE = 'not dialed: the worker stopped before the provider accepted the call';

/**
 * Puts calls whose attempt never reached the provider (lookup said 'unknown') back in the queue:
 * the attempt is marked CANCELED / NOT_DIALED and no longer counts against the budget or in the
 * stats. Only calls whose lease `workerId` holds are touched. In a stopped campaign the call is
 * canceled instead, as the stop would have done had it not been in progress.
 */
export async function revertUndialed(
  app: App,
  campaignId: string,
  items: { callId: string; attemptId: string | null }[],
  options: { workerId: string; retryAt?: Date | null; waitReason?: string | null; errorMessage?: string },
): Promise<string[]> {
  if (items.length === 0) return [];
  const events: CampaignEventMessage[] = [];
  const callIds = items.map((i) => i.callId);
  const attemptIds = items.map((i) => i.attemptId).filter((id): id is string => id !== null);
  const reverted = await app.db.prisma.$transaction(async (tx) => {
    const campaign = await lockDialerCampaign(tx, campaignId);
    if (!campaign) return [];
    const stopped = campaign.status === 'CANCELED' || campaign.deleted_at !== null;
    const rows = await tx.$queryRaw<{ id: string; status: string }[]>`
      UPDATE "call" SET
             status = (CASE WHEN ${stopped} THEN 'CANCELED'
                            WHEN attempt_count - 1 > attempt_base THEN 'RETRY_SCHEDULED'
                            ELSE 'PENDING' END)::"CallStatus",
             outcome = CASE WHEN ${stopped} AND attempt_count - 1 = 0 THEN 'NOT_DIALED'::"CallOutcome" ELSE outcome END,
             attempt_count = attempt_count - 1,
             next_attempt_at = CASE WHEN ${stopped} THEN NULL ELSE ${options.retryAt ?? null}::timestamptz END,
             wait_reason = CASE WHEN ${stopped} THEN NULL ELSE ${options.waitReason ?? null}::text END,
             processed_at = CASE WHEN ${stopped} THEN now() ELSE processed_at END,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = ANY(${callIds}::uuid[]) AND status = 'IN_PROGRESS' AND lease_owner = ${options.workerId}
      RETURNING id, status::text AS status`;
    if (rows.length === 0) return [];
    const reverted = rows.map((r) => r.id);
    await tx.$executeRaw`
      UPDATE call_attempt SET telephony_status = 'CANCELED', outcome = 'NOT_DIALED', ended_at = now(),
             error_message = ${options.errorMessage ?? NOT_DIALED_MESSAGE}
       WHERE id = ANY(${attemptIds}::uuid[]) AND call_id = ANY(${reverted}::uuid[]) AND ended_at IS NULL`;
    events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', rows)));
    return reverted;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return reverted;
}

const leaseUntil = (leaseMs: number) => Math.max(1, Math.round(leaseMs));

/** Extends the leases `workerId` still holds; returns the calls it still holds. */
export async function renewLeases(app: App, campaignId: string, callIds: string[], workerId: string, leaseMs: number): Promise<string[]> {
  if (callIds.length === 0) return [];
  return app.db.prisma.$transaction(async (tx) => {
    await lockDialerCampaign(tx, campaignId);
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "call" SET lease_expires_at = now() + ${leaseUntil(leaseMs)}::int * interval '1 millisecond'
       WHERE id = ANY(${callIds}::uuid[]) AND lease_owner = ${workerId} AND status = 'IN_PROGRESS'
      RETURNING id`;
    return rows.map((r) => r.id);
  }, TX_OPTIONS);
}

/**
 * Gives up leases without finishing the calls (graceful shutdown that ran out of time): they are
 * left expired so that any worker reconciles them with the provider at once.
 */
export async function releaseLeases(app: App, campaignId: string, callIds: string[], workerId: string): Promise<number> {
  if (callIds.length === 0) return 0;
  return app.db.prisma.$transaction(async (tx) => {
    await lockDialerCampaign(tx, campaignId);
    return tx.$executeRaw`
      UPDATE "call" SET lease_owner = NULL, lease_expires_at = now() - interval '1 millisecond'
       WHERE id = ANY(${callIds}::uuid[]) AND lease_owner = ${workerId} AND status = 'IN_PROGRESS'`;
  }, TX_OPTIONS);
}

/** In-progress calls whose lease ran out (their worker died or gave them up), oldest first. */
export async function findExpiredLeases(app: App, limit: number): Promise<{ id: string; campaign_id: string }[]> {
  // lease_expires_at is NULL on every finished call, so the range scan sees only leased rows.
  return app.db.prisma.$queryRaw<{ id: string; campaign_id: string }[]>`
    SELECT id, campaign_id FROM "call"
     WHERE lease_expires_at < now() AND status = 'IN_PROGRESS'
     ORDER BY lease_expires_at LIMIT ${limit}::int`;
}

export type TakenCall = { callId: string; attemptId: string | null; providerCallId: string | null };

/**
 * Takes over expired leases of one campaign (re-checked under the lock: another worker may have
 * been first). The caller must then reconcile each call with the provider before anything else.
 */
export async function takeExpiredLeases(
  app: App,
  campaignId: string,
  callIds: string[],
  workerId: string,
  leaseMs: number,
): Promise<TakenCall[]> {
  if (callIds.length === 0) return [];
  return app.db.prisma.$transaction(async (tx) => {
    await lockDialerCampaign(tx, campaignId);
    const taken = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "call" SET lease_owner = ${workerId},
             lease_expires_at = now() + ${leaseUntil(leaseMs)}::int * interval '1 millisecond'
       WHERE id = ANY(${callIds}::uuid[]) AND status = 'IN_PROGRESS' AND lease_expires_at < now()
      RETURNING id`;
    if (taken.length === 0) return [];
    const ids = taken.map((t) => t.id);
    const attempts = await tx.$queryRaw<{ id: string; call_id: string; provider_call_id: string | null }[]>`
      SELECT id, call_id, provider_call_id FROM call_attempt WHERE call_id = ANY(${ids}::uuid[]) AND ended_at IS NULL`;
    const byCall = new Map(attempts.map((a) => [a.call_id, a]));
    return ids.map((id) => ({ callId: id, attemptId: byCall.get(id)?.id ?? null, providerCallId: byCall.get(id)?.provider_call_id ?? null }));
  }, TX_OPTIONS);
}

/**
 * Records that the provider accepted these dials (provider id, RINGING). Attempt rows only, no
 * call row: no campaign lock needed. An attempt that already ended keeps what its result says.
 */
export async function markAccepted(app: App, accepted: { attemptId: string; providerCallId: string }[]): Promise<void> {
  if (accepted.length === 0) return;
  await app.db.prisma.$executeRaw`
    UPDATE call_attempt a SET provider_call_id = v."providerCallId",
           telephony_status = CASE WHEN a.telephony_status = 'QUEUED' THEN 'RINGING'::"TelephonyStatus" ELSE a.telephony_status END
      FROM jsonb_to_recordset(${JSON.stringify(accepted)}::jsonb) AS v("attemptId" uuid, "providerCallId" text)
     WHERE a.id = v."attemptId" AND a.ended_at IS NULL AND a.provider_call_id IS NULL`;
}

/**
 * The organisation ran out of minutes: every RUNNING campaign of it pauses with OUT_OF_MINUTES
 * (resume is then refused with InsufficientBalance until minutes are added). One lifecycle action
 * per campaign, after the billing transaction committed: locking several campaign rows in one
 * transaction could deadlock with another worker doing the same.
 */
export async function pauseOutOfMinutes(app: App, organizationId: string): Promise<string[]> {
  const running = await app.db.prisma.campaign.findMany({
    where: { organizationId, status: 'RUNNING', deletedAt: null },
    select: { id: true },
  });
  const paused: string[] = [];
  for (const { id } of running) {
    if (await pauseFor(app, id, 'OUT_OF_MINUTES')) paused.push(id);
  }
  return paused;
}

/** Pauses one campaign on behalf of the system; false when it is no longer RUNNING. */
export async function pauseFor(app: App, campaignId: string, pauseReason: 'OUT_OF_MINUTES' | 'SYSTEM_FAILURE'): Promise<boolean> {
  try {
    await performAction(app, { orgId: null, campaignId, action: 'PAUSE', pauseReason });
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false; // paused, stopped or deleted meanwhile
    throw error;
  }
}
