/**
 * Applying a provider's final results to one campaign's calls. Idempotent: a result applied
 * twice, or by two processes, changes rows once (see the worker's crash-safety rules).
 */
import type { App } from '../../app.ts';
import { TX } from '../../db/transactions.ts';
import { isTerminal } from '../../domain/lifecycle.ts';
import { callbackSlot } from '../../domain/recipient-window.ts';
import { recipientZones } from '../../domain/recipient-zone.ts';
import { attemptsUsed, decideAfterAttempt, finalStatus, type RetryPolicyInput } from '../../domain/retry-policy.ts';
import { appendCallEvents, withEvents } from '../../realtime/event-log.ts';
import { billableSeconds, chargeSeconds } from '../../services/billing.ts';
import { completeIfDone } from '../../services/campaign-lifecycle.ts';
import { lockCampaign } from '../../services/campaign-lock.ts';
import { callFinishedData, enqueueWebhooks } from '../../services/webhooks.ts';
import { campaignWindow } from '../claim-rules.ts';
import type { CallResult } from '../provider.ts';

export type ApplyOutcome = {
  /** Attempts that are over now (applied here, or already finished before): stop tracking them. */
  settled: string[];
  /** Set when this batch took the organisation's balance to zero or below. */
  outOfMinutesOrg: string | null;
  completed: boolean;
  /** The outcomes this batch wrote (not those already applied): what callboard_calls_finished_total counts. */
  applied: string[];
};

type OpenRow = {
  attempt_id: string;
  call_id: string;
  status: string;
  attempt_count: number;
  attempt_base: number;
  callbacks_used: number;
  timezone: string | null;
  phone_number: string;
  ended: boolean;
};

/**
 * Applies final results of one campaign's calls in one transaction: the attempt gets what the
 * provider reported, the call its next status from the retry policy, the organisation is billed
 * the connected seconds, and the campaign completes when nothing is left. A result for an attempt
 * that is already over (a duplicate, or one another process applied) changes nothing.
 */
export async function applyCallResults(app: App, campaignId: string, results: CallResult[], now = new Date()): Promise<ApplyOutcome> {
  return withEvents(app, TX.locked, async (tx, events): Promise<ApplyOutcome> => {
    const campaign = await lockCampaign(tx, campaignId);
    const settled = results.map((r) => r.attemptId);
    if (!campaign) return { settled, outOfMinutesOrg: null, completed: false, applied: [] };
    const rows = await tx.$queryRaw<OpenRow[]>`
      SELECT a.id AS attempt_id, c.id AS call_id, c.status::text AS status, c.attempt_count, c.attempt_base,
             c.callbacks_used, c.timezone, c.phone_number, (a.ended_at IS NOT NULL) AS ended
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
      const talk = billableSeconds(result);
      billed += talk;
      const used = attemptsUsed({ attemptCount: row.attempt_count, attemptBase: row.attempt_base });
      const decision = decideAfterAttempt({
        outcome: result.outcome,
        attemptsUsed: used,
        campaignMaxAttempts: campaign.max_attempts,
        policy: campaign.retry_policy as RetryPolicyInput | null,
        now,
        callback: result.callbackAt ? { requestedAt: result.callbackAt, used: row.callbacks_used, max: campaign.max_callbacks } : null,
      });
      let status: string = decision.status;
      let nextAttemptAt: string | null = null;
      let waitReason: string | null = null;
      let callback = false;
      if (decision.status === 'RETRY_SCHEDULED') {
        if (isTerminal(campaign.status) || campaign.deleted_at) {
          // Stopped while this call was ringing: it finished, and no further attempt will be
          // made, so it ends as a spent call does (COMPLETED without answer, or FAILED).
          status = finalStatus(decision.outcome);
        } else if (decision.callback) {
          // At the time the person asked for, moved into their calling window if it falls outside.
          const zones = recipientZones(row.timezone, row.phone_number, campaign.timezone).zones;
          const slot = callbackSlot(campaignWindow(campaign), zones, decision.nextAttemptAt);
          callback = true;
          nextAttemptAt = slot.at.toISOString();
          waitReason =
            `callback requested for ${result.callbackAt!.toISOString()} (${row.callbacks_used + 1} of ${campaign.max_callbacks} callbacks)` +
            (slot.movedBecause ? `; ${slot.movedBecause}, so at the window's next opening` : '');
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
        // A callback is a dial outside the attempt budget: the budget's base moves up with it.
        callback,
        callback_at: result.callbackAt?.toISOString() ?? null,
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
        callback_at: result.callbackAt?.toISOString() ?? null,
        recording_url: result.recordingUrl ?? null,
        cost_cents: result.costCents ?? null,
      });
    }
    if (callUpdates.length === 0) return { settled, outOfMinutesOrg: null, completed: false, applied: [] };

    await tx.$executeRaw`
      UPDATE call_attempt a
         SET provider_call_id = coalesce(a.provider_call_id, v.provider_call_id),
             telephony_status = v.telephony_status::"TelephonyStatus", answered_by = v.answered_by::"AnsweredBy",
             outcome = v.outcome::"CallOutcome", started_at = v.started_at, answered_at = v.answered_at,
             ended_at = v.ended_at, duration_seconds = v.duration_seconds, transcript = v.transcript,
             summary = v.summary, error_message = v.error_message, callback_at = v.callback_at,
             recording_url = v.recording_url, cost_cents = v.cost_cents
        FROM jsonb_to_recordset(${JSON.stringify(attemptUpdates)}::jsonb) AS v(
             id uuid, provider_call_id text, telephony_status text, answered_by text, outcome text,
             started_at timestamptz, answered_at timestamptz, ended_at timestamptz, duration_seconds int,
             transcript text, summary text, error_message text, callback_at timestamptz,
             recording_url text, cost_cents double precision)
       WHERE a.id = v.id`;
    // One statement for the batch: the tally trigger runs once, not once per call.
    await tx.$executeRaw`
      UPDATE "call" c
         SET status = v.status::"CallStatus", outcome = v.outcome::"CallOutcome",
             next_attempt_at = v.next_attempt_at, wait_reason = v.wait_reason,
             processed_at = CASE WHEN v.final THEN now() ELSE NULL END,
             connected = c.connected OR v.connected, duration_seconds = c.duration_seconds + v.duration,
             attempt_base = c.attempt_base + CASE WHEN v.callback THEN 1 ELSE 0 END,
             callbacks_used = c.callbacks_used + CASE WHEN v.callback THEN 1 ELSE 0 END,
             callback_at = coalesce(v.callback_at, c.callback_at),
             lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(callUpdates)}::jsonb) AS v(
             id uuid, status text, outcome text, next_attempt_at timestamptz, wait_reason text,
             final boolean, connected boolean, duration int, callback boolean, callback_at timestamptz)
       WHERE c.id = v.id`;
    events.push(
      ...(await appendCallEvents(
        tx,
        campaignId,
        'CALL_UPDATED',
        callUpdates.map((u) => ({ id: u.id as string, status: u.status as string })),
      )),
    );
    const finished = attemptUpdates.map((a) => a.id as string);
    await enqueueWebhooks(tx, campaign.organization_id, 'CALL_FINISHED', campaignId, () => callFinishedData(tx, campaign, finished));

    const balance = await chargeSeconds(tx, campaign.organization_id, billed, `calls of campaign ${campaignId}`);
    const outOfMinutesOrg = balance !== null && balance <= 0 ? campaign.organization_id : null;
    const completed = await completeIfDone(tx, campaign, events);
    return { settled, outOfMinutesOrg, completed, applied: attemptUpdates.map((a) => a.outcome as string) };
  });
}

function humanize(outcome: string): string {
  return outcome.toLowerCase().replace(/_/g, ' ');
}
