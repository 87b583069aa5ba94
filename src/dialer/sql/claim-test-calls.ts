import type { App } from '../../app.ts';
import { TX } from '../../db/transactions.ts';
import { variablesObject } from '../../domain/contacts.ts';
import { appendEvent, withEvents } from '../../realtime/event-log.ts';
import { listedNumbers } from '../../services/do-not-call.ts';
import { TEST_CALL_EVENT } from '../../services/test-calls.ts';
import type { DialAgent } from '../provider.ts';
import { agentOf } from './agent.ts';

type Waiting = { id: string; campaign_id: string; organization_id: string; to_number: string; agent_id: string | null; test_variables: unknown };

/**
 * Test calls waiting for a worker (placeTestCall), marked as taken in the same transaction. The
 * do-not-call list is checked again here, under the organisation row lock an add takes: a number
 * listed after the test call was queued is not dialed (the attempt ends CANCELED / DO_NOT_CALL).
 */
export async function claimTestCalls(
  app: App,
  limit: number,
): Promise<{ attemptId: string; campaignId: string; to: string; agent: DialAgent; variables: Record<string, unknown> }[]> {
  // Almost always there is none: one index probe instead of a transaction.
  const [waiting] = await app.db.prisma.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM call_attempt WHERE is_test AND ended_at IS NULL AND telephony_status = 'QUEUED') AS any`;
  if (!waiting?.any) return [];
  return withEvents(app, TX.locked, async (tx, events) => {
    const rows = await tx.$queryRaw<Waiting[]>`
      SELECT a.id, a.campaign_id, cp.organization_id, a.to_number, cp.agent_id, a.test_variables
        FROM call_attempt a JOIN campaign cp ON cp.id = a.campaign_id
       WHERE a.is_test AND a.ended_at IS NULL AND a.telephony_status = 'QUEUED'
       ORDER BY a.started_at LIMIT ${limit}::int
         FOR UPDATE OF a SKIP LOCKED`;
    if (rows.length === 0) return [];
    const listed = new Set<string>();
    for (const orgId of [...new Set(rows.map((r) => r.organization_id))].sort()) {
      await tx.$queryRaw`SELECT id FROM organization WHERE id = ${orgId}::uuid FOR SHARE`;
      const numbers = rows.filter((r) => r.organization_id === orgId).map((r) => r.to_number);
      for (const n of await listedNumbers(tx, orgId, numbers)) listed.add(`${orgId} ${n}`);
    }
    const refused = rows.filter((r) => listed.has(`${r.organization_id} ${r.to_number}`));
    const taken = rows.filter((r) => !listed.has(`${r.organization_id} ${r.to_number}`));
    if (refused.length > 0) {
      await tx.$executeRaw`
        UPDATE call_attempt SET telephony_status = 'CANCELED', outcome = 'DO_NOT_CALL', ended_at = now(), dnc_checked_at = now(),
               error_message = 'not dialed: the number was put on the do-not-call list'
         WHERE id = ANY(${refused.map((r) => r.id)}::uuid[])`;
      for (const r of refused) events.push(await appendEvent(tx, r.campaign_id, TEST_CALL_EVENT));
    }
    if (taken.length === 0) return [];
    // RINGING without a provider id = taken by a worker, dial in flight (see findStaleTestCalls).
    await tx.$executeRaw`
      UPDATE call_attempt SET telephony_status = 'RINGING', started_at = now(), dnc_checked_at = now()
       WHERE id = ANY(${taken.map((r) => r.id)}::uuid[])`;
    const out = [];
    for (const r of taken)
      out.push({
        attemptId: r.id,
        campaignId: r.campaign_id,
        to: r.to_number,
        agent: await agentOf(tx, r.agent_id),
        variables: variablesObject(r.test_variables),
      });
    return out;
  });
}
