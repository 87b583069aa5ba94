/**
 * Claiming: turning due calls of a RUNNING campaign into IN_PROGRESS calls with a lease and a
 * QUEUED attempt row — committed before anything is dialed, so a crash right after the commit
 * leaves a record that recovery reconciles with the provider instead of a dial nobody knows of.
 *
 * One transaction per campaign: the campaign row is locked first (the codebase-wide lock order),
 * which serialises claims with pause/stop and makes "no new dials after pause" exact: a claim
 * either committed before the pause took the lock, or sees the campaign PAUSED and claims nothing.
 * Call rows are picked with FOR UPDATE SKIP LOCKED in due order (call_due_idx). The organisation
 * row is locked after them, and the do-not-call list is read under that lock: an entry added
 * (which takes the same lock) is seen by every claim that commits after it.
 */
import type { App } from '../../app.ts';
import { literalList } from '../../db/sql-literals.ts';
import { TX, type Tx } from '../../db/transactions.ts';
import { DIALABLE, WAITING_CALL_STATUSES } from '../../domain/lifecycle.ts';
import { attemptsUsed, finalStatus, hasAttemptsLeft, type CallOutcome } from '../../domain/retry-policy.ts';
import { appendCallEvents, withEvents } from '../../realtime/event-log.ts';
import type { CampaignEventMessage } from '../../realtime/pubsub.ts';
import { completeIfDone } from '../../services/campaign-lifecycle.ts';
import { lockCampaign, openCallCounts } from '../../services/campaign-lock.ts';
import { listedNumbers } from '../../services/do-not-call.ts';
import { dialEvidence, type DialEvidence } from '../../domain/recipient-window.ts';
import { campaignWindow, variablesOf, WindowJudge } from '../claim-rules.ts';
import type { DialAgent } from '../provider.ts';
import { agentOf, DEFAULT_AGENT } from './agent.ts';

export type ClaimedCall = { callId: string; attemptId: string; campaignId: string; to: string; variables: Record<string, unknown> };

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
  outcome: CallOutcome | null;
  attempt_count: number;
  attempt_base: number;
  variables: unknown;
  name: string;
};

type OrgState = { balance_seconds: number; contact_limit: number | null; contacts_used: number };

/** A call the claim settles without dialing (deferred, spent, over the plan limit, do-not-call). */
type CallChange = { id: string; status: string; outcome: string | null; next_attempt_at: string | null; wait_reason: string | null; final: boolean };

/**
 * Claims up to `limit` due calls of one campaign for `workerId` (fewer when the campaign's
 * concurrency limit is nearer). On the way it defers calls outside their recipient's calling
 * window (next_attempt_at and wait_reason), skips numbers on the do-not-call list (SKIPPED /
 * DO_NOT_CALL), fails calls beyond the plan's unique-contact limit (PLAN_LIMIT_EXCEEDED), and
 * completes a campaign that has nothing left.
 */
export async function claimDueCalls(
  app: App,
  campaignId: string,
  options: { workerId: string; leaseMs: number; limit: number; now?: Date },
): Promise<ClaimResult> {
  const now = options.now ?? new Date();
  return withEvents(app, TX.locked, async (tx, events): Promise<ClaimResult> => {
    const none = (extra: Partial<ClaimResult> = {}): ClaimResult => ({ claimed: [], agent: DEFAULT_AGENT, outOfMinutesOrg: null, completed: false, ...extra });
    const campaign = await lockCampaign(tx, campaignId);
    if (!campaign || !DIALABLE.includes(campaign.status) || campaign.deleted_at) return none();
    const counts = await openCallCounts(tx, campaignId);
    if (counts.open === 0) return none({ completed: await completeIfDone(tx, campaign, events) });
    const free = Math.min(campaign.max_concurrent_calls - counts.inProgress, options.limit);
    if (free <= 0) return none();

    const judge = new WindowJudge(campaignWindow(campaign), campaign.timezone, now);
    let org: OrgState | null = null;
    let outOfMinutes = false;
    const toClaim: (DueRow & { evidence: DialEvidence })[] = [];
    const newContacts = new Set<string>();
    let settled = 0;
    let scanned = 0;
    for (;;) {
      const batch = Math.min(Math.max(free - toClaim.length, MIN_BATCH), MAX_BATCH);
      // The expression and predicate match call_due_idx: an index range, stopped by the LIMIT.
      const rows = await tx.$queryRaw<DueRow[]>`
        SELECT id, phone_number, timezone, status::text AS status, outcome::text AS outcome, attempt_count, attempt_base, variables, name
          FROM "call"
         WHERE campaign_id = ${campaignId}::uuid AND status IN (${literalList(WAITING_CALL_STATUSES)})
           AND coalesce(next_attempt_at, '-infinity'::timestamptz) <= now()
         ORDER BY coalesce(next_attempt_at, '-infinity'::timestamptz), position
         LIMIT ${batch}::int
           FOR UPDATE SKIP LOCKED`;
      scanned += rows.length;
      const changes: CallChange[] = [];
      const ready: (DueRow & { evidence: DialEvidence })[] = [];
      for (const row of rows) {
        if (row.status === 'RETRY_SCHEDULED' && !hasAttemptsLeft(attemptsUsed(counters(row)), campaign.max_attempts)) {
          // maxAttempts was lowered while this retry waited: the budget is already spent.
          changes.push(change(row.id, finalStatus(row.outcome ?? 'NO_ANSWER'), row.outcome, { final: true }));
          continue;
        }
        const judgement = judge.judge(row);
        const e = judgement.eligibility;
        if (!e.eligible) {
          const at = e.nextEligibleAt ?? new Date(now.getTime() + NEVER_RETRY_MS);
          changes.push(change(row.id, row.status, row.outcome, { next_attempt_at: at.toISOString(), wait_reason: e.reason }));
          continue;
        }
        ready.push({ ...row, evidence: dialEvidence(judgement, judge.window, now) });
      }

      let leftOver = false;
      if (ready.length > 0) {
        // Organisation row after the call rows (lock order); held to the end, so the
        // unique-contact counter cannot be raced by another claim of the same organisation, and
        // the do-not-call list read below cannot change before this claim commits.
        org ??= await lockOrganization(tx, campaign.organization_id);
        if (org.balance_seconds <= 0) {
          outOfMinutes = true;
          leftOver = true;
        } else {
          const phones = ready.map((r) => r.phone_number);
          const listed = await listedNumbers(tx, campaign.organization_id, phones);
          const known = await knownContacts(tx, campaign.organization_id, phones);
          for (const row of ready) {
            if (listed.has(row.phone_number)) {
              changes.push(change(row.id, 'SKIPPED', 'DO_NOT_CALL', { final: true }));
              continue;
            }
            if (toClaim.length >= free) {
              leftOver = true; // stays as it is; the lock ends with this transaction
              continue;
            }
            if (!known.has(row.phone_number) && !newContacts.has(row.phone_number)) {
              if (org.contact_limit !== null && org.contacts_used + newContacts.size >= org.contact_limit) {
                const reason = `the plan allows ${org.contact_limit} unique contacts and all are used`;
                changes.push(change(row.id, 'FAILED', 'PLAN_LIMIT_EXCEEDED', { wait_reason: reason, final: true }));
                continue;
              }
              newContacts.add(row.phone_number);
            }
            toClaim.push(row);
          }
        }
      }
      await applyChanges(tx, campaignId, changes, events);
      settled += changes.filter((c) => c.final).length;
      if (leftOver || rows.length < batch || toClaim.length >= free || scanned >= MAX_SCAN) break;
    }

    const claimed = toClaim.length > 0 ? await claimRows(tx, campaign.organization_id, campaignId, toClaim, newContacts, options, now, events) : [];
    // The campaign row is locked by this claim: the first claim that dials sets it, once.
    if (claimed.length > 0 && !campaign.first_dialed_at) {
      await tx.$executeRaw`UPDATE campaign SET first_dialed_at = now() WHERE id = ${campaignId}::uuid`;
    }
    const completed = settled > 0 && claimed.length === 0 ? await completeIfDone(tx, campaign, events) : false;
    return {
      claimed,
      agent: claimed.length > 0 ? await agentOf(tx, campaign.agent_id) : DEFAULT_AGENT,
      outOfMinutesOrg: outOfMinutes ? campaign.organization_id : null,
      completed,
    };
  });
}

const counters = (row: DueRow) => ({ attemptCount: row.attempt_count, attemptBase: row.attempt_base });

function change(id: string, status: string, outcome: string | null, rest: Partial<CallChange> = {}): CallChange {
  return { id, status, outcome, next_attempt_at: null, wait_reason: null, final: false, ...rest };
}

/** Writes the calls the claim settled or deferred, in one statement, with their events. */
async function applyChanges(tx: Tx, campaignId: string, changes: CallChange[], events: CampaignEventMessage[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.$executeRaw`
    UPDATE "call" c SET status = v.status::"CallStatus", outcome = v.outcome::"CallOutcome",
           next_attempt_at = v.next_attempt_at, wait_reason = v.wait_reason,
           processed_at = CASE WHEN v.final THEN now() ELSE c.processed_at END, updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) AS v(
           id uuid, status text, outcome text, next_attempt_at timestamptz, wait_reason text, final boolean)
     WHERE c.id = v.id`;
  events.push(...(await appendCallEvents(tx, campaignId, 'CALL_UPDATED', changes)));
}

/** Leases the calls, counts new unique contacts, and writes each attempt with its evidence. */
async function claimRows(
  tx: Tx,
  organizationId: string,
  campaignId: string,
  rows: (DueRow & { evidence: DialEvidence })[],
  newContacts: Set<string>,
  options: { workerId: string; leaseMs: number },
  dncCheckedAt: Date,
  events: CampaignEventMessage[],
): Promise<ClaimedCall[]> {
  const ids = rows.map((r) => r.id);
  if (newContacts.size > 0) {
    const inserted = await tx.$executeRaw`
      INSERT INTO organization_contact (organization_id, phone_number)
      SELECT ${organizationId}::uuid, unnest(${[...newContacts]}::text[])
      ON CONFLICT DO NOTHING`;
    await tx.$executeRaw`UPDATE organization SET contacts_used = contacts_used + ${inserted}::int WHERE id = ${organizationId}::uuid`;
  }
  await tx.$executeRaw`
    UPDATE "call" SET status = 'IN_PROGRESS', attempt_count = attempt_count + 1, next_attempt_at = NULL,
           wait_reason = NULL, lease_owner = ${options.workerId},
           lease_expires_at = now() + ${Math.round(options.leaseMs)}::int * interval '1 millisecond', updated_at = now()
     WHERE id = ANY(${ids}::uuid[])`;
  // The attempt exists before the dial; its number continues after any attempt that was
  // recorded but never dialed (so it is not always attempt_count).
  const evidence = rows.map((r) => ({
    call_id: r.id,
    recipient_timezone: r.evidence.recipientTimezone,
    recipient_timezones: r.evidence.recipientTimezones,
    recipient_local_time: r.evidence.recipientLocalTime,
    calling_window: r.evidence.callingWindow,
    dnc_checked_at: dncCheckedAt.toISOString(),
  }));
  const attempts = await tx.$queryRaw<{ id: string; call_id: string }[]>`
    INSERT INTO call_attempt (id, campaign_id, call_id, number, to_number, telephony_status, started_at,
                              recipient_timezone, recipient_timezones, recipient_local_time, calling_window, dnc_checked_at)
    SELECT gen_random_uuid(), c.campaign_id, c.id,
           coalesce((SELECT max(a.number) FROM call_attempt a WHERE a.call_id = c.id), 0) + 1,
           c.phone_number, 'QUEUED', now(),
           v.recipient_timezone, ARRAY(SELECT jsonb_array_elements_text(v.recipient_timezones)), v.recipient_local_time,
           v.calling_window, v.dnc_checked_at
      FROM jsonb_to_recordset(${JSON.stringify(evidence)}::jsonb) AS v(
           call_id uuid, recipient_timezone text, recipient_timezones jsonb, recipient_local_time text,
           calling_window jsonb, dnc_checked_at timestamptz)
      JOIN "call" c ON c.id = v.call_id
    RETURNING id, call_id`;
  const attemptOf = new Map(attempts.map((a) => [a.call_id, a.id]));
  events.push(
    ...(await appendCallEvents(
      tx,
      campaignId,
      'CALL_UPDATED',
      ids.map((id) => ({ id, status: 'IN_PROGRESS' })),
    )),
  );
  return rows.map((row) => ({ callId: row.id, attemptId: attemptOf.get(row.id)!, campaignId, to: row.phone_number, variables: variablesOf(row) }));
}

async function lockOrganization(tx: Tx, organizationId: string): Promise<OrgState> {
  const [org] = await tx.$queryRaw<OrgState[]>`
    SELECT balance_seconds, contact_limit, contacts_used FROM organization WHERE id = ${organizationId}::uuid FOR UPDATE`;
  return org!;
}

/** Numbers among `phones` the organisation has dialed before (they do not count against the plan again). */
async function knownContacts(tx: Tx, organizationId: string, phones: string[]): Promise<Set<string>> {
  const rows = await tx.$queryRaw<{ phone_number: string }[]>`
    SELECT phone_number FROM organization_contact WHERE organization_id = ${organizationId}::uuid AND phone_number = ANY(${phones}::text[])`;
  return new Set(rows.map((r) => r.phone_number));
}
