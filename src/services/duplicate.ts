/**
 * duplicateCampaign: a follow-up campaign (e.g. "call everyone who did not answer again") made
 * from the calls of another campaign that match chosen statuses/outcomes.
 */
import type { App } from '../app.ts';
import type { Campaign, CallOutcome, CallStatus } from '../db/generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { TX } from '../db/transactions.ts';
import { appendEvent, withEvents } from '../realtime/event-log.ts';
import { orderedUuid } from './contact-stage.ts';
import { onDoNotCallList } from './do-not-call.ts';
import { type Actor, recordAudit } from './audit.ts';

export interface DuplicateInput {
  sourceId: string;
  name?: string | null;
  /** Copy only calls in one of these statuses (all when empty). */
  statuses?: CallStatus[] | null;
  /** Copy only calls with one of these outcomes (all when empty). */
  outcomes?: CallOutcome[] | null;
  actor?: Actor | null;
}

export interface DuplicateResult {
  campaign: Campaign;
  /** Calls copied as PENDING. */
  added: number;
  /** Calls copied as SKIPPED because their number is now on the do-not-call list, or repeats. */
  skipped: number;
}

/**
 * Creates a DRAFT campaign with the source's agent and settings and fresh PENDING calls (name,
 * number, zone, variables) for the matching source calls. Calls skipped as INVALID_NUMBER or
 * DUPLICATE are never copied (they were never real contacts); the do-not-call list is applied
 * again (a number listed since becomes SKIPPED/DO_NOT_CALL, one removed since is called), and a
 * number is copied once. A deleted source can still be duplicated: its calls stay readable.
 */
export async function duplicateCampaign(app: App, orgId: string, input: DuplicateInput): Promise<DuplicateResult> {
  const source = await app.db.prisma.campaign.findFirst({ where: { id: input.sourceId, organizationId: orgId } });
  if (!source) throw new NotFoundError('Campaign', input.sourceId);
  const name = input.name == null ? `${source.name} (follow-up)`.slice(0, 200) : input.name.trim();
  if (!name) throw ValidationError.of(['name'], 'must not be empty');
  if (name.length > 200) throw ValidationError.of(['name'], 'at most 200 characters');
  const statuses = input.statuses?.length ? input.statuses : null;
  const outcomes = input.outcomes?.length ? input.outcomes : null;

  return withEvents(app, TX.copy, async (tx, events) => {
    const created = await tx.campaign.create({
      data: {
        organizationId: orgId,
        agentId: source.agentId,
        name,
        maxAttempts: source.maxAttempts,
        maxConcurrentCalls: source.maxConcurrentCalls,
        timezone: source.timezone,
        callingDays: source.callingDays,
        callingStart: source.callingStart,
        callingEnd: source.callingEnd,
        retryPolicy: source.retryPolicy ?? undefined,
        clampToLegalHours: source.clampToLegalHours,
        autoComplete: source.autoComplete,
        maxCallbacks: source.maxCallbacks,
        sourceCampaignId: source.id,
      },
    });
    // One set-based statement. `first` keeps the earliest call per number (a number skipped as
    // DO_NOT_CALL twice in the source would otherwise come back twice once it is off the list).
    const [counts] = await tx.$queryRawUnsafe<{ added: number; skipped: number }[]>(
      `WITH picked AS (
         SELECT c.name, c.phone_number, c.variables, c.timezone,
                row_number() OVER (ORDER BY c.position, c.created_at, c.id) AS seq,
                row_number() OVER (PARTITION BY c.phone_number ORDER BY c.position, c.created_at, c.id) AS nth,
                ${onDoNotCallList('$3::uuid', 'c.phone_number')} AS dnc
           FROM "call" c
          WHERE c.campaign_id = $1::uuid
            AND NOT (c.status = 'SKIPPED' AND c.outcome IN ('INVALID_NUMBER', 'DUPLICATE'))
            AND ($4::text[] IS NULL OR c.status = ANY($4::text[]::"CallStatus"[]))
            AND ($5::text[] IS NULL OR c.outcome = ANY($5::text[]::"CallOutcome"[]))
       ), inserted AS (
         INSERT INTO "call" (id, campaign_id, name, phone_number, status, outcome, processed_at, variables, timezone, position)
         SELECT ${orderedUuid('$6::bigint', 'seq')}, $2::uuid, name, phone_number,
                CASE WHEN dnc OR nth > 1 THEN 'SKIPPED' ELSE 'PENDING' END::"CallStatus",
                CASE WHEN dnc THEN 'DO_NOT_CALL'::"CallOutcome" WHEN nth > 1 THEN 'DUPLICATE'::"CallOutcome" END,
                CASE WHEN dnc OR nth > 1 THEN now() END,
                variables, timezone, seq
           FROM picked ORDER BY seq
         RETURNING status
       )
       SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS added, count(*) FILTER (WHERE status = 'SKIPPED')::int AS skipped
         FROM inserted`,
      source.id,
      created.id,
      orgId,
      statuses,
      outcomes,
      String(Date.now()),
    );
    events.push(await appendEvent(tx, created.id, 'CAMPAIGN_DUPLICATED'));
    await recordAudit(tx, orgId, input.actor, {
      action: 'campaign.duplicate',
      targetType: 'Campaign',
      targetId: created.id,
      after: { sourceId: source.id, added: counts!.added, skipped: counts!.skipped },
    });
    return { campaign: created, added: counts!.added, skipped: counts!.skipped };
  });
}
