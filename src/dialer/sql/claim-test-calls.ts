import type { App } from '../../app.ts';
import { TX } from '../../db/transactions.ts';
import type { DialAgent } from '../provider.ts';
import { agentOf } from './agent.ts';

/** Test calls waiting for a worker (placeTestCall), marked as taken in the same transaction. */
export async function claimTestCalls(
  app: App,
  limit: number,
): Promise<{ attemptId: string; campaignId: string; to: string; agent: DialAgent }[]> {
  // Almost always there is none: one index probe instead of a transaction.
  const [waiting] = await app.db.prisma.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM call_attempt WHERE is_test AND ended_at IS NULL AND telephony_status = 'QUEUED') AS any`;
  if (!waiting?.any) return [];
  return app.db.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; campaign_id: string; to_number: string; agent_id: string | null }[]>`
      SELECT a.id, a.campaign_id, a.to_number, cp.agent_id
        FROM call_attempt a JOIN campaign cp ON cp.id = a.campaign_id
       WHERE a.is_test AND a.ended_at IS NULL AND a.telephony_status = 'QUEUED'
       ORDER BY a.started_at LIMIT ${limit}::int
         FOR UPDATE OF a SKIP LOCKED`;
    if (rows.length === 0) return [];
    // RINGING without a provider id = taken by a worker, dial in flight (see findStaleTestCalls).
    await tx.$executeRaw`
      UPDATE call_attempt SET telephony_status = 'RINGING', started_at = now() WHERE id = ANY(${rows.map((r) => r.id)}::uuid[])`;
    const out = [];
    for (const r of rows) out.push({ attemptId: r.id, campaignId: r.campaign_id, to: r.to_number, agent: await agentOf(tx, r.agent_id) });
    return out;
  }, TX.locked);
}
