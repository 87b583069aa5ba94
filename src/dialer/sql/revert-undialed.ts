import type { App } from '../../app.ts';
import { TX } from '../../db/transactions.ts';
import { isTerminal } from '../../domain/lifecycle.ts';
import { afterUndialed } from '../../domain/retry-policy.ts';
import { appendCallEvents, withEvents } from '../../realtime/event-log.ts';
import { lockCampaign } from '../../services/campaign-lock.ts';

/** An attempt row that never became a dial: it stays in the history, marked as such. */
export const NOT_DIALED_MESSAGE = 'not dialed: the worker stopped before the provider accepted the call';

type HeldRow = { id: string; attempt_count: number; attempt_base: number; outcome: string | null };

/**
 * Puts calls whose attempt never reached the provider (lookup said 'unknown') back in the queue:
 * the attempt is marked CANCELED / NOT_DIALED and no longer counts against the budget or in the
 * stats (afterUndialed decides where the call goes). Only calls whose lease `workerId` holds are
 * touched. In a stopped campaign the call is canceled instead, as the stop would have done had it
 * not been in progress.
 */
export async function revertUndialed(
  app: App,
  campaignId: string,
  items: { callId: string; attemptId: string | null }[],
  options: { workerId: string; retryAt?: Date | null; waitReason?: string | null; errorMessage?: string },
): Promise<string[]> {
  if (items.length === 0) return [];
  const callIds = items.map((i) => i.callId);
  const attemptIds = items.map((i) => i.attemptId).filter((id): id is string => id !== null);
  return withEvents(app, TX.locked, async (tx, events) => {
    const campaign = await lockCampaign(tx, campaignId);
    if (!campaign) return [];
    const stopped = isTerminal(campaign.status) || campaign.deleted_at !== null;
    const held = await tx.$queryRaw<HeldRow[]>`
      SELECT id, attempt_count, attempt_base, outcome::text AS outcome FROM "call"
       WHERE id = ANY(${callIds}::uuid[]) AND status = 'IN_PROGRESS' AND lease_owner = ${options.workerId}
         FOR UPDATE`;
    if (held.length === 0) return [];
    const rows = held.map((row) => {
      const next = afterUndialed({ attemptCount: row.attempt_count, attemptBase: row.attempt_base, outcome: row.outcome }, stopped);
      return {
        id: row.id,
        status: next.status,
        outcome: next.outcome,
        attempt_count: next.attemptCount,
        next_attempt_at: stopped ? null : (options.retryAt?.toISOString() ?? null),
        wait_reason: stopped ? null : (options.waitReason ?? null),
        final: next.status === 'CANCELED',
      };
    });
    await tx.$executeRaw`
      UPDATE "call" c
         SET status = v.status::"CallStatus", outcome = v.outcome::"CallOutcome", attempt_count = v.attempt_count,
             next_attempt_at = v.next_attempt_at, wait_reason = v.wait_reason,
             processed_at = CASE WHEN v.final THEN now() ELSE c.processed_at END,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(
             id uuid, status text, outcome text, attempt_count int, next_attempt_at timestamptz, wait_reason text, final boolean)
       WHERE c.id = v.id`;
    const reverted = rows.map((r) => r.id);
    await tx.$executeRaw`
      UPDATE call_attempt SET telephony_status = 'CANCELED', outcome = 'NOT_DIALED', ended_at = now(),
             error_message = ${options.errorMessage ?? NOT_DIALED_MESSAGE}
       WHERE id = ANY(${attemptIds}::uuid[]) AND call_id = ANY(${reverted}::uuid[]) AND ended_at IS NULL`;
    events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', rows)));
    return reverted;
  });
}
