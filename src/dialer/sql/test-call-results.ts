/** The worker's half of test calls (see src/services/test-calls.ts): results, undialed ones, recovery. */
import type { App } from '../../app.ts';
import { TX, type Tx } from '../../db/transactions.ts';
import { appendEvent, withEvents } from '../../realtime/event-log.ts';
import { billableSeconds, chargeSeconds } from '../../services/billing.ts';
import { lockCampaign } from '../../services/campaign-lock.ts';
import { TEST_CALL_EVENT } from '../../services/test-calls.ts';
import type { CallResult } from '../provider.ts';

/** Campaign row first, as in every transaction that writes dialer state. */
async function lockCampaignOfTest(tx: Tx, attemptId: string): Promise<boolean> {
  const [attempt] = await tx.$queryRaw<{ campaign_id: string }[]>`
    SELECT campaign_id FROM call_attempt WHERE id = ${attemptId}::uuid AND is_test`;
  return attempt !== undefined && (await lockCampaign(tx, attempt.campaign_id)) !== null;
}

/** Fills in a test call's result (once: a repeated result changes nothing) and bills it. */
export async function applyTestCallResult(app: App, result: CallResult): Promise<boolean> {
  return withEvents(app, TX.locked, async (tx, events) => {
    if (!(await lockCampaignOfTest(tx, result.attemptId))) return false;
    const connected = result.answeredBy !== null;
    const talk = billableSeconds(result);
    const [row] = await tx.$queryRaw<{ campaign_id: string; organization_id: string }[]>`
      UPDATE call_attempt
         SET provider_call_id = coalesce(provider_call_id, ${result.providerCallId}),
             telephony_status = ${result.telephonyStatus}::"TelephonyStatus", answered_by = ${result.answeredBy}::"AnsweredBy",
             outcome = ${result.outcome}::"CallOutcome", started_at = ${result.startedAt}, answered_at = ${result.answeredAt},
             ended_at = ${result.endedAt}, duration_seconds = ${connected ? talk : null}::int,
             transcript = ${result.transcript}, summary = ${result.summary}, error_message = ${result.errorMessage},
             recording_url = ${result.recordingUrl ?? null}, cost_cents = ${result.costCents ?? null}::float8
       WHERE id = ${result.attemptId}::uuid AND is_test AND ended_at IS NULL
      RETURNING campaign_id, (SELECT organization_id FROM campaign WHERE id = campaign_id) AS organization_id`;
    if (!row) return false;
    events.push(await appendEvent(tx, row.campaign_id, TEST_CALL_EVENT));
    await chargeSeconds(tx, row.organization_id, talk, `test call ${result.attemptId}`);
    return true;
  });
}

/** A test call the provider never accepted (its worker died first): closed as not dialed. */
export async function cancelUndialedTestCall(app: App, attemptId: string, message: string): Promise<boolean> {
  return withEvents(app, TX.locked, async (tx, events) => {
    if (!(await lockCampaignOfTest(tx, attemptId))) return false;
    const [row] = await tx.$queryRaw<{ campaign_id: string }[]>`
      UPDATE call_attempt SET telephony_status = 'CANCELED', outcome = 'NOT_DIALED', ended_at = now(), error_message = ${message}
       WHERE id = ${attemptId}::uuid AND is_test AND ended_at IS NULL
      RETURNING campaign_id`;
    if (!row) return false;
    events.push(await appendEvent(tx, row.campaign_id, TEST_CALL_EVENT));
    return true;
  });
}

/**
 * Test calls taken by a worker more than `olderThanMs` ago and still open: their worker may have
 * died, so any worker asks the provider what became of them.
 */
export async function findStaleTestCalls(app: App, olderThanMs: number, limit = 20): Promise<{ id: string; provider_call_id: string | null }[]> {
  return app.db.prisma.$queryRaw<{ id: string; provider_call_id: string | null }[]>`
    SELECT id, provider_call_id FROM call_attempt
     WHERE is_test AND ended_at IS NULL AND telephony_status <> 'QUEUED'
       AND started_at < now() - ${Math.round(olderThanMs)}::int * interval '1 millisecond'
     ORDER BY started_at LIMIT ${limit}::int`;
}
