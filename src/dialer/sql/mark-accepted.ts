import type { App } from '../../app.ts';

/**
 * Records that the provider accepted these dials (provider id, RINGING). Attempt rows only, no
 * call row: no campaign lock needed. An attempt that already ended keeps what its result says.
 *
 * Rows another transaction holds are skipped, never waited for: that holder is ending the attempt
 * (a result, which records the provider id itself, or a put-back), and waiting would let this
 * batch — which spans campaigns, in no lock order — deadlock with a result batch.
 */
export async function markAccepted(app: App, accepted: { attemptId: string; providerCallId: string }[]): Promise<void> {
  if (accepted.length === 0) return;
  await app.db.prisma.$executeRaw`
    UPDATE call_attempt a SET provider_call_id = v."providerCallId",
           telephony_status = CASE WHEN a.telephony_status = 'QUEUED' THEN 'RINGING'::"TelephonyStatus" ELSE a.telephony_status END
      FROM jsonb_to_recordset(${JSON.stringify(accepted)}::jsonb) AS v("attemptId" uuid, "providerCallId" text)
     WHERE a.id = v."attemptId" AND a.ended_at IS NULL AND a.provider_call_id IS NULL
       AND a.id IN (SELECT id FROM call_attempt WHERE id = ANY(${accepted.map((a) => a.attemptId)}::uuid[])
                     ORDER BY id FOR UPDATE SKIP LOCKED)`;
}
