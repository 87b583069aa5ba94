/**
 * Test calls (placeTestCall), the API's half: one dial with a campaign's agent to a number the
 * user gives, kept as a CallAttempt with isTest and no call, so it never shows in the campaign's
 * calls or stats. This only records the attempt (QUEUED); a dialer worker picks it up, dials it
 * and fills in the result (src/dialer/sql/test-calls.ts) — the same path as campaign calls, so
 * it works whether the worker runs in the API process or elsewhere. Its minutes are billed.
 */
import type { App } from '../app.ts';
import type { CallAttempt } from '../db/generated/prisma/client.ts';
import { TX } from '../db/transactions.ts';
import { InsufficientBalanceError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { normalizePhone } from '../domain/phone.ts';
import { appendEvent, withEvents } from '../realtime/event-log.ts';
import { isOnDoNotCallList } from './do-not-call.ts';

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
  if (await isOnDoNotCallList(app.db, orgId, phone.e164)) {
    throw ValidationError.of(['phoneNumber'], `${phone.e164} is on the organisation’s do-not-call list`);
  }
  return withEvents(app, TX.locked, async (tx, events) => {
    // The campaign row is locked by appendEvent's sequence bump; no call row is touched.
    const created = await tx.callAttempt.create({
      data: { campaignId: campaign.id, callId: null, number: 1, isTest: true, toNumber: phone.e164, telephonyStatus: 'QUEUED' },
    });
    events.push(await appendEvent(tx, campaign.id, TEST_CALL_EVENT));
    return created;
  });
}
