/**
 * Test calls (placeTestCall): one dial with a campaign's agent to a number the user gives, kept
 * as a CallAttempt with isTest and no call, so it never shows in the campaign's calls or stats.
 *
 * The mutation only records the attempt (QUEUED); a dialer worker picks it up (claimTestCalls),
 * dials it and fills in the result — the same path as campaign calls, so it works whether the
 * worker runs in the API process or elsewhere. Minutes it uses are billed like any call.
 */
import type { App } from '../app.ts';
import type { CallAttempt } from '../db/generated/prisma/client.ts';
import type { CallResult } from '../dialer/provider.ts';
import { InsufficientBalanceError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { normalizePhone } from '../domain/phone.ts';
import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import { TX_OPTIONS } from './campaign-lifecycle.ts';
import { appendEvent, publishEvents, type Tx } from './events.ts';

/** Event kind of a test call's changes (callId null: a test call has no call row). */
export const TEST_CALL_EVENT = 'TEST_CALL_UPDATED';

export async function queueTestCall(app: App, orgId: string, input: { campaignId: string; phoneNumber: string }): Promise<CallAttempt> {
  const phone = normalizePhone(input.phoneNumber);
  if (!phone.ok) throw ValidationError.of(['phoneNumber'], `${phone.reason} (use the international format, e.g. +14155550123)`);
  const campaign = await app.db.prisma.campaign.findFirst({
    where: { id: input.campaignId, organizationId: orgId, deletedAt: null },
    select: { id: true, agentId: true, organization: { select: { balanceSeconds: true } } },
  });
  if (!campaign) throw new NotFoundError('Campaign', input.campaignId);
  if (!campaign.agentId) throw ValidationError.of(['campaignId'], 'the campaign has no agent: assign one before placing a test call');
  if (campaign.organization.balanceSeconds <= 0) throw new InsufficientBalanceError(campaign.organization.balanceSeconds);
  const dnc = await app.db.prisma.doNotCallEntry.findUnique({
    where: { organizationId_phoneNumber: { organizationId: orgId, phoneNumber: phone.e164 } },
    select: { phoneNumber: true },
  });
  if (dnc) throw ValidationError.of(['phoneNumber'], `${phone.e164} is on the organisation’s do-not-call list`);
  const events: CampaignEventMessage[] = [];
  const attempt = await app.db.prisma.$transaction(async (tx) => {
    // The campaign row is locked by appendEvent's sequence bump; no call row is touched.
    const created = await tx.callAttempt.create({
      data: { campaignId: campaign.id, callId: null, number: 1, isTest: true, toNumber: phone.e164, telephonyStatus: 'QUEUED' },
    });
    events.push(await appendEvent(tx, campaign.id, TEST_CALL_EVENT));
    return created;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return attempt;
}

/** Campaign row first, as in every transaction that writes dialer state. */
async function lockCampaignOfTest(tx: Tx, attemptId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM campaign WHERE id = (SELECT campaign_id FROM call_attempt WHERE id = ${attemptId}::uuid AND is_test) FOR UPDATE`;
  return rows.length > 0;
}

/** Fills in a test call's result (once: a repeated result changes nothing) and bills it. */
export async function applyTestCallResult(app: App, result: CallResult): Promise<boolean> {
  const events: CampaignEventMessage[] = [];
  const applied = await app.db.prisma.$transaction(async (tx) => {
    if (!(await lockCampaignOfTest(tx, result.attemptId))) return false;
    const connected = result.answeredBy !== null;
    const talk = connected ? Math.max(0, Math.round(result.durationSeconds)) : 0;
    const [row] = await tx.$queryRaw<{ campaign_id: string }[]>`
      UPDATE call_attempt
         SET provider_call_id = coalesce(provider_call_id, ${result.providerCallId}),
             telephony_status = ${result.telephonyStatus}::"TelephonyStatus", answered_by = ${result.answeredBy}::"AnsweredBy",
             outcome = ${result.outcome}::"CallOutcome", started_at = ${result.startedAt}, answered_at = ${result.answeredAt},
             ended_at = ${result.endedAt}, duration_seconds = ${connected ? talk : null}::int,
             transcript = ${result.transcript}, summary = ${result.summary}, error_message = ${result.errorMessage}
       WHERE id = ${result.attemptId}::uuid AND is_test AND ended_at IS NULL
      RETURNING campaign_id`;
    if (!row) return false;
    events.push(await appendEvent(tx, row.campaign_id, TEST_CALL_EVENT));
    if (talk > 0) {
      await tx.$executeRaw`
        UPDATE organization SET balance_seconds = balance_seconds - ${talk}::int
         WHERE id = (SELECT organization_id FROM campaign WHERE id = ${row.campaign_id}::uuid)`;
    }
    return true;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return applied;
}

/** A test call the provider never accepted (its worker died first): closed as not dialed. */
export async function cancelUndialedTestCall(app: App, attemptId: string, message: string): Promise<boolean> {
  const events: CampaignEventMessage[] = [];
  const done = await app.db.prisma.$transaction(async (tx) => {
    if (!(await lockCampaignOfTest(tx, attemptId))) return false;
    const [row] = await tx.$queryRaw<{ campaign_id: string }[]>`
      UPDATE call_attempt SET telephony_status = 'CANCELED', outcome = 'NOT_DIALED', ended_at = now(), error_message = ${message}
       WHERE id = ${attemptId}::uuid AND is_test AND ended_at IS NULL
      RETURNING campaign_id`;
    if (!row) return false;
    events.push(await appendEvent(tx, row.campaign_id, TEST_CALL_EVENT));
    return true;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return done;
}

/**
 * Test calls taken by a worker more than `olderThanMs` ago and still open: their worker may have
 * died, so any worker asks the provider what became of them.
 */
export async function findStaleTestCalls(app: App, olderThanMs: number, limit = 20): Promise<{ id: string; provider_call_id: string | null }[]> {
  return app.db.prisma.$queryRaw<{ id: string; provider_call_id: string | null }[]>`
    SELECT id, provider_call_id FROM call_attempt
     WHERE is_test AND ended_at IS NULL AND telephony_status <> 'QUEUED'
       AND started_at < now() - ${Math.round(olderThanMs)}::int * interval '1 millisecond'
     ORDER BY started_at LIMIT ${limit}::int`;
}
