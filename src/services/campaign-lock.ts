/**
 * The campaign row lock — the one lock order of callboard: the campaign row first (SELECT … FOR
 * UPDATE), then its call rows, then the organisation row. Every writer of a campaign's calls or
 * events queues here, so two of them never hold call rows in opposite orders and the event
 * sequence stays gapless.
 */
import { literalList } from '../db/sql-literals.ts';
import type { CampaignStatus, PauseReason } from '../db/generated/prisma/client.ts';
import type { Tx } from '../db/transactions.ts';
import { NotFoundError } from '../domain/errors.ts';
import { OPEN_CALL_STATUSES } from '../domain/lifecycle.ts';

/** The campaign columns read under the lock: what lifecycle actions and the dialer decide on. */
export type LockedCampaign = {
  id: string;
  organization_id: string;
  name: string;
  status: CampaignStatus;
  pause_reason: PauseReason | null;
  version: number;
  scheduled_at: Date | null;
  deleted_at: Date | null;
  first_dialed_at: Date | null;
  max_attempts: number;
  max_concurrent_calls: number;
  timezone: string;
  calling_days: number[] | null;
  calling_start: number;
  calling_end: number;
  clamp_to_legal_hours: boolean;
  auto_complete: boolean;
  max_callbacks: number;
  retry_policy: unknown;
  agent_id: string | null;
};

/** Locks the campaign row for the rest of the transaction, whatever its status (null if none). */
export async function lockCampaign(tx: Tx, campaignId: string): Promise<LockedCampaign | null> {
  const [row] = await tx.$queryRaw<LockedCampaign[]>`
    SELECT id, organization_id, name, status::text AS status, pause_reason::text AS pause_reason, version, scheduled_at, deleted_at, first_dialed_at, max_attempts,
           max_concurrent_calls, timezone, calling_days, calling_start, calling_end, clamp_to_legal_hours, auto_complete, max_callbacks, retry_policy, agent_id
      FROM campaign WHERE id = ${campaignId}::uuid FOR UPDATE`;
  return row ?? null;
}

/**
 * Locks a live campaign of the organisation (`orgId` null: the system, any organisation);
 * NotFound for a deleted campaign or another organisation's, as for one that does not exist.
 */
export async function lockLiveCampaign(tx: Tx, orgId: string | null, campaignId: string): Promise<LockedCampaign> {
  const row = await lockCampaign(tx, campaignId);
  if (!row || row.deleted_at || (orgId && row.organization_id !== orgId)) throw new NotFoundError('Campaign', campaignId);
  return row;
}

/** Calls still to be worked on (OPEN_CALL_STATUSES), and how many are in progress, from the counters: O(1). */
export async function openCallCounts(tx: Tx, campaignId: string): Promise<{ open: number; inProgress: number }> {
  const [row] = await tx.$queryRaw<{ open: number; in_progress: number }[]>`
    SELECT coalesce(sum(calls), 0)::int AS open,
           coalesce(sum(calls) FILTER (WHERE status = 'IN_PROGRESS'), 0)::int AS in_progress
      FROM campaign_call_tally
     WHERE campaign_id = ${campaignId}::uuid AND status IN (${literalList(OPEN_CALL_STATUSES)})`;
  return { open: row?.open ?? 0, inProgress: row?.in_progress ?? 0 };
}
