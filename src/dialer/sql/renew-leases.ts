import type { App } from '../../app.ts';
import { transaction, TX } from '../../db/transactions.ts';
import { lockCampaign } from '../../services/campaign-lock.ts';

/** A lease of `leaseMs` from now, in whole milliseconds (at least 1). */
export const leaseMillis = (leaseMs: number) => Math.max(1, Math.round(leaseMs));

/** Extends the leases `workerId` still holds; returns the calls it still holds. */
export async function renewLeases(app: App, campaignId: string, callIds: string[], workerId: string, leaseMs: number): Promise<string[]> {
  if (callIds.length === 0) return [];
  return transaction(app.db, TX.locked, async (tx) => {
    await lockCampaign(tx, campaignId);
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "call" SET lease_expires_at = now() + ${leaseMillis(leaseMs)}::int * interval '1 millisecond'
       WHERE id = ANY(${callIds}::uuid[]) AND lease_owner = ${workerId} AND status = 'IN_PROGRESS'
      RETURNING id`;
    return rows.map((r) => r.id);
  });
}
