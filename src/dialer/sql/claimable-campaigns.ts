import type { App } from '../../app.ts';
import { literalList } from '../../db/sql-literals.ts';
import { DIALABLE, OPEN_CALL_STATUSES, WAITING_CALL_STATUSES } from '../../domain/lifecycle.ts';

/**
 * RUNNING campaigns worth a claim transaction: a free slot and a due call, or nothing open at all
 * (e.g. resumed after its last calls finished while paused), which the claim then completes —
 * unless it is continuous (autoComplete false): idle, it waits for contacts without a claim.
 */
export async function listClaimableCampaigns(app: App, limit: number): Promise<string[]> {
  const rows = await app.db.prisma.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM campaign c
     WHERE c.status IN (${literalList(DIALABLE)}) AND c.deleted_at IS NULL
       AND ((c.max_concurrent_calls > (SELECT coalesce(sum(t.calls), 0) FROM campaign_call_tally t
                                         WHERE t.campaign_id = c.id AND t.status = 'IN_PROGRESS')
             AND EXISTS (SELECT 1 FROM "call" d
                          WHERE d.campaign_id = c.id AND d.status IN (${literalList(WAITING_CALL_STATUSES)})
                            AND coalesce(d.next_attempt_at, '-infinity'::timestamptz) <= now()))
            OR (c.auto_complete AND NOT EXISTS (SELECT 1 FROM campaign_call_tally t
                            WHERE t.campaign_id = c.id AND t.calls > 0
                              AND t.status IN (${literalList(OPEN_CALL_STATUSES)}))))
     ORDER BY random() LIMIT ${limit}::int`;
  return rows.map((r) => r.id);
}
