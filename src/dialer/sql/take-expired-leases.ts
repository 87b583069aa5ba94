import type { App } from '../../app.ts';
import { transaction, TX } from '../../db/transactions.ts';
import { lockCampaign } from '../../services/campaign-lock.ts';
import { leaseMillis } from './renew-leases.ts';

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
export async function takeExpiredLeases(app: App, campaignId: string, callIds: string[], workerId: string, leaseMs: number): Promise<TakenCall[]> {
  if (callIds.length === 0) return [];
  return transaction(app.db, TX.locked, async (tx) => {
    await lockCampaign(tx, campaignId);
    const taken = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "call" SET lease_owner = ${workerId},
             lease_expires_at = now() + ${leaseMillis(leaseMs)}::int * interval '1 millisecond'
       WHERE id = ANY(${callIds}::uuid[]) AND status = 'IN_PROGRESS' AND lease_expires_at < now()
      RETURNING id`;
    if (taken.length === 0) return [];
    const ids = taken.map((t) => t.id);
    const attempts = await tx.$queryRaw<{ id: string; call_id: string; provider_call_id: string | null }[]>`
      SELECT id, call_id, provider_call_id FROM call_attempt WHERE call_id = ANY(${ids}::uuid[]) AND ended_at IS NULL`;
    const byCall = new Map(attempts.map((a) => [a.call_id, a]));
    return ids.map((id) => ({ callId: id, attemptId: byCall.get(id)?.id ?? null, providerCallId: byCall.get(id)?.provider_call_id ?? null }));
  });
}
