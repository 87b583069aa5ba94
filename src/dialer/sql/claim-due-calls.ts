/**
 * Claiming: turning due calls of a RUNNING campaign into IN_PROGRESS calls with a lease and a
 * QUEUED attempt row — committed before anything is dialed, so a crash right after the commit
 * leaves a record that recovery reconciles with the provider instead of a dial nobody knows of.
 *
 * One transaction per campaign: the campaign row is locked first (the codebase-wide lock order),
 * which serialises claims with pause/stop and makes "no new dials after pause" exact: a claim
 * either committed before the pause took the lock, or sees the campaign PAUSED and claims nothing.
 * Call rows are picked with FOR UPDATE SKIP LOCKED in due order (call_due_idx).
 */
import type { App } from '../../app.ts';
import { literalList } from '../../db/sql-literals.ts';
import { TX, type Tx } from '../../db/transactions.ts';
import { eligibility, recipientTimeZone, type CallingWindow, type Eligibility } from '../../domain/calling-window.ts';
import { DIALABLE, WAITING_CALL_STATUSES } from '../../domain/lifecycle.ts';
import { attemptsUsed, hasAttemptsLeft } from '../../domain/retry-policy.ts';
import { appendCallEvents, withEvents } from '../../realtime/event-log.ts';
import { completeIfDone } from '../../services/campaign-lifecycle.ts';
import { lockCampaign, openCallCounts } from '../../services/campaign-lock.ts';
import type { DialAgent } from '../provider.ts';
import { agentOf, DEFAULT_AGENT } from './agent.ts';

export type ClaimedCall = {
  callId: string;
  attemptId: string;
  campaignId: string;
  to: string;
  variables: Record<string, unknown>;
};

export type ClaimResult = {
  claimed: ClaimedCall[];
  agent: DialAgent;
  /** The organisation has no minutes left: nothing was claimed, its campaigns must pause. */
  outOfMinutesOrg: string | null;
  completed: boolean;
};

/** Rows scanned per claim transaction at most, so one campaign full of deferred calls (outside
 * its calling window) cannot hold its lock for long; the rest is deferred on the next ticks. */
const MAX_SCAN = 1000;
/** Rows fetched per round trip: deferred calls are cheap, so fetch more than the free slots. */
const MIN_BATCH = 25;
const MAX_BATCH = 200;
/** A window that never opens (e.g. 21:00–23:00 after the 08:00–21:00 clamp): look again in a day. */
const NEVER_RETRY_MS = 24 * 3600_000;

type DueRow = {
  id: string;
  phone_number: string;
  timezone: string | null;
  status: string;
  attempt_count: number;
  attempt_base: number;
  variables: unknown;
  name: string;
};

type OrgState = { balance_seconds: number; contact_limit: number | null; contacts_used: number };

/**
 * Claims up to `limit` due calls of one campaign for `workerId` (fewer when the campaign's
 * concurrency limit is nearer). On the way it defers calls outside their calling window (with
 * next_attempt_at and wait_reason), fails calls beyond the plan's unique-contact limit
 * (PLAN_LIMIT_EXCEEDED), and completes a campaign that has nothing left.
 */
export async function claimDueCalls(
  app: App,
  campaignId: string,
  options: { workerId: string; leaseMs: number; limit: number; now?: Date },
): Promise<ClaimResult> {
  const now = options.now ?? new Date();
  return withEvents(app, TX.locked, async (tx, events): Promise<ClaimResult> => {
    const none = (extra: Partial<ClaimResult> = {}): ClaimResult => ({
      claimed: [],
      agent: DEFAULT_AGENT,
      outOfMinutesOrg: null,
      completed: false,
      ...extra,
    });
    const campaign = await lockCampaign(tx, campaignId);
    if (!campaign || !DIALABLE.includes(campaign.status) || campaign.deleted_at) return none();
    const counts = await openCallCounts(tx, campaignId);
    if (counts.open === 0) return none({ completed: await completeIfDone(tx, campaign, events) });
    const free = Math.min(campaign.max_concurrent_calls - counts.inProgress, options.limit);
    if (free <= 0) return none();

    const window: CallingWindow = {
      days: campaign.calling_days ?? [1, 2, 3, 4, 5],
      start: campaign.calling_start,
      end: campaign.calling_end,
    };
    const byZone = new Map<string, Eligibility>();
    const eligible = (zone: string): Eligibility => {
      let e = byZone.get(zone);
      if (!e) {
        e = eligibility(window, zone, now);
        byZone.set(zone, e);
      }
      return e;
    };

    let org: OrgState | null = null;
    let outOfMinutes = false;
    const toClaim: DueRow[] = [];
    const newContacts = new Set<string>();
    let failed = 0;
    let scanned = 0;
    for (;;) {
      const batch = Math.min(Math.max(free - toClaim.length, MIN_BATCH), MAX_BATCH);
      // The expression and predicate match call_due_idx: an index range, stopped by the LIMIT.
      const rows = await tx.$queryRaw<DueRow[]>`
        SELECT id, phone_number, timezone, status::text AS status, attempt_count, attempt_base, variables, name
          FROM "call"
         WHERE campaign_id = ${campaignId}::uuid AND status IN (${literalList(WAITING_CALL_STATUSES)})
           AND coalesce(next_attempt_at, '-infinity'::timestamptz) <= now()
         ORDER BY coalesce(next_attempt_at, '-infinity'::timestamptz), position
         LIMIT ${batch}::int
           FOR UPDATE SKIP LOCKED`;
      scanned += rows.length;
      const deferred: { id: string; at: string; reason: string }[] = [];
      const spent: string[] = [];
      const overLimit: string[] = [];
      const ready: DueRow[] = [];
      for (const row of rows) {
        if (row.status === 'RETRY_SCHEDULED' && !hasAttemptsLeft(attemptsUsed(counters(row)), campaign.max_attempts)) {
          // maxAttempts was lowered while this retry waited: the budget is already spent.
          spent.push(row.id);
          continue;
        }
        let e: Eligibility;
        try {
          e = eligible(recipientTimeZone(row.timezone, campaign.timezone));
        } catch {
          e = eligible('UTC'); // a campaign zone the runtime no longer knows: judge in UTC
        }
        if (!e.eligible) {
          const at = e.nextEligibleAt ?? new Date(now.getTime() + NEVER_RETRY_MS);
          deferred.push({ id: row.id, at: at.toISOString(), reason: e.reason });
          continue;
        }
        ready.push(row);
      }

      let leftOver = false;
      if (ready.length > 0) {
        // Organisation row after the call rows (lock order); held to the end, so the
        // unique-contact counter cannot be raced by another claim of the same organisation.
        org ??= await lockOrganization(tx, campaign.organization_id);
        if (org.balance_seconds <= 0) {
          outOfMinutes = true;
          leftOver = true;
        } else {
          const known = await knownContacts(tx, campaign.organization_id, ready.map((r) => r.phone_number));
          for (const row of ready) {
            if (toClaim.length >= free) {
              leftOver = true; // stays as it is; the lock ends with this transaction
              continue;
            }
            if (!known.has(row.phone_number) && !newContacts.has(row.phone_number)) {
              if (org.contact_limit !== null && org.contacts_used + newContacts.size >= org.contact_limit) {
                overLimit.push(row.id);
                continue;
              }
              newContacts.add(row.phone_number);
            }
            toClaim.push(row);
          }
        }
      }

      if (deferred.length > 0) {
        await tx.$executeRaw`
          UPDATE "call" c SET next_attempt_at = v.at, wait_reason = v.reason, updated_at = now()
            FROM jsonb_to_recordset(${JSON.stringify(deferred)}::jsonb) AS v(id uuid, at timestamptz, reason text)
           WHERE c.id = v.id`;
        const statusOf = new Map(rows.map((r) => [r.id, r.status]));
        events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', deferred.map((d) => ({ id: d.id, status: statusOf.get(d.id)! })))));
      }
      if (spent.length > 0) {
        await tx.$executeRaw`
          UPDATE "call" SET status = 'FAILED', next_attempt_at = NULL, wait_reason = NULL, processed_at = now(), updated_at = now()
           WHERE id = ANY(${spent}::uuid[])`;
        events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', spent.map((id) => ({ id, status: 'FAILED' })))));
      }
      if (overLimit.length > 0) {
        const reason = `the plan allows ${org!.contact_limit} unique contacts and all are used`;
        await tx.$executeRaw`
          UPDATE "call" SET status = 'FAILED', outcome = 'PLAN_LIMIT_EXCEEDED', next_attempt_at = NULL,
                 wait_reason = ${reason}, processed_at = now(), updated_at = now()
           WHERE id = ANY(${overLimit}::uuid[])`;
        events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', overLimit.map((id) => ({ id, status: 'FAILED' })))));
      }
      failed += spent.length + overLimit.length;
      if (leftOver || rows.length < batch || toClaim.length >= free || scanned >= MAX_SCAN) break;
    }

    const claimed: ClaimedCall[] = [];
    if (toClaim.length > 0) {
      const ids = toClaim.map((r) => r.id);
      if (newContacts.size > 0) {
        const inserted = await tx.$executeRaw`
          INSERT INTO organization_contact (organization_id, phone_number)
          SELECT ${campaign.organization_id}::uuid, unnest(${[...newContacts]}::text[])
          ON CONFLICT DO NOTHING`;
        await tx.$executeRaw`
          UPDATE organization SET contacts_used = contacts_used + ${inserted}::int WHERE id = ${campaign.organization_id}::uuid`;
      }
      await tx.$executeRaw`
        UPDATE "call" SET status = 'IN_PROGRESS', attempt_count = attempt_count + 1, next_attempt_at = NULL,
               wait_reason = NULL, lease_owner = ${options.workerId},
               lease_expires_at = now() + ${Math.round(options.leaseMs)}::int * interval '1 millisecond', updated_at = now()
         WHERE id = ANY(${ids}::uuid[])`;
      // The attempt exists before the dial; its number continues after any attempt that was
      // recorded but never dialed (so it is not always attempt_count).
      const attempts = await tx.$queryRaw<{ id: string; call_id: string }[]>`
        INSERT INTO call_attempt (id, campaign_id, call_id, number, to_number, telephony_status, started_at)
        SELECT gen_random_uuid(), c.campaign_id, c.id,
               coalesce((SELECT max(a.number) FROM call_attempt a WHERE a.call_id = c.id), 0) + 1,
               c.phone_number, 'QUEUED', now()
          FROM "call" c WHERE c.id = ANY(${ids}::uuid[])
        RETURNING id, call_id`;
      const attemptOf = new Map(attempts.map((a) => [a.call_id, a.id]));
      events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', ids.map((id) => ({ id, status: 'IN_PROGRESS' })))));
      for (const row of toClaim) {
        claimed.push({
          callId: row.id,
          attemptId: attemptOf.get(row.id)!,
          campaignId,
          to: row.phone_number,
          variables: variablesOf(row),
        });
      }
    }
    const completed = failed > 0 && claimed.length === 0 ? await completeIfDone(tx, campaign, events) : false;
    return {
      claimed,
      agent: claimed.length > 0 ? await agentOf(tx, campaign.agent_id) : DEFAULT_AGENT,
      outOfMinutesOrg: outOfMinutes ? campaign.organization_id : null,
      completed,
    };
  });
}

async function lockOrganization(tx: Tx, organizationId: string): Promise<OrgState> {
  const [org] = await tx.$queryRaw<OrgState[]>`
    SELECT balance_seconds, contact_limit, contacts_used FROM organization WHERE id = ${organizationId}::uuid FOR UPDATE`;
  return org!;
}

async function knownContacts(tx: Tx, organizationId: string, phones: string[]): Promise<Set<string>> {
  const rows = await tx.$queryRaw<{ phone_number: string }[]>`
    SELECT phone_number FROM organization_contact
     WHERE organization_id = ${organizationId}::uuid AND phone_number = ANY(${phones}::text[])`;
  return new Set(rows.map((r) => r.phone_number));
}

/** The contact's columns for the script, with its name under `name` unless a column says otherwise. */
function variablesOf(row: DueRow): Record<string, unknown> {
  const vars = row.variables && typeof row.variables === 'object' && !Array.isArray(row.variables) ? { ...(row.variables as Record<string, unknown>) } : {};
  if (row.name && vars.name === undefined) vars.name = row.name;
  return vars;
}


const counters = (row: DueRow) => ({ attemptCount: row.attempt_count, attemptBase: row.attempt_base });
