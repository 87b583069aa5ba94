import type { App } from '../../app.ts';
import { transaction, TX } from '../../db/transactions.ts';
import { lockCampaign } from '../../services/campaign-lock.ts';

/**
 * Gives up leases without finishing the calls (graceful shutdown that ran out of time): they are
 * left expired so that any worker reconciles them with the provider at once.
 */
export async function releaseLeases(app: App, campaignId: string, callIds: string[], workerId: string): Promise<number> {
  if (callIds.length === 0) return 0;
  return transaction(app.db, TX.locked, async (tx) => {
    await lockCampaign(tx, campaignId);
    return tx.$executeRaw`
      UPDATE "call" SET lease_owner = NULL, lease_expires_at = now() - interval '1 millisecond'
       WHERE id = ANY(${callIds}::uuid[]) AND lease_owner = ${workerId} AND status = 'IN_PROGRESS'`;
  });
}
