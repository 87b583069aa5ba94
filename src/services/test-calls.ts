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
import { isWithinWindow } from '../domain/calling-window.ts';
import { variablesProblem } from '../domain/contacts.ts';
import { InsufficientBalanceError, NotFoundError, OutsideCallingWindowError, ValidationError } from '../domain/errors.ts';
import { normalizePhone } from '../domain/phone.ts';
import { recipientZones } from '../domain/recipient-zone.ts';
import { dialEvidence, eligibilityInZones } from '../domain/recipient-window.ts';
import { appendEvent, withEvents } from '../realtime/event-log.ts';
import { type Actor, recordAudit } from './audit.ts';
import { isOnDoNotCallList } from './do-not-call.ts';

/** Event kind of a test call's changes (callId null: a test call has no call row). */
export const TEST_CALL_EVENT = 'TEST_CALL_UPDATED';

/**
 * Queues a test call. Same rules as a campaign call: the recipient's calling window (in the
 * zone(s) of the number, else the campaign's) unless the caller says the number is their own
 * (`ignoreCallingWindow`), the do-not-call list (checked again when a worker picks it up), and
 * numbers that are never dialed (premium-rate…). The evidence of the check is kept on the attempt.
 */
export async function queueTestCall(
  app: App,
  orgId: string,
  input: {
    campaignId: string;
    phoneNumber: string;
    ignoreCallingWindow?: boolean | null;
    name?: string | null;
    variables?: Record<string, unknown> | null;
    actor?: Actor | null;
  },
  now = new Date(),
): Promise<CallAttempt> {
  const problem = variablesProblem(input.variables);
  if (problem) throw ValidationError.of(['variables'], problem);
  const name = input.name?.trim() ?? '';
  if (name.length > 200) throw ValidationError.of(['name'], 'at most 200 characters');
  // The script's {{name}} and {{…}} are filled as for a contact of the campaign.
  const testVariables = { ...(input.variables ?? {}), ...(name ? { name } : {}) };
  const phone = normalizePhone(input.phoneNumber);
  if (!phone.ok) throw ValidationError.of(['phoneNumber'], `${phone.reason} (use the international format, e.g. +14155550123)`);
  const notDialable = phone.notDialable;
  if (notDialable) throw ValidationError.of(['phoneNumber'], notDialable);
  const campaign = await app.db.prisma.campaign.findFirst({
    where: { id: input.campaignId, organizationId: orgId, deletedAt: null },
    select: {
      id: true,
      agentId: true,
      timezone: true,
      callingDays: true,
      callingStart: true,
      callingEnd: true,
      clampToLegalHours: true,
      organization: { select: { balanceSeconds: true } },
    },
  });
  if (!campaign) throw new NotFoundError('Campaign', input.campaignId);
  if (!campaign.agentId) throw ValidationError.of(['campaignId'], 'the campaign has no agent: assign one before placing a test call');
  if (campaign.organization.balanceSeconds <= 0) throw new InsufficientBalanceError(campaign.organization.balanceSeconds);
  if (await isOnDoNotCallList(app.db, orgId, phone.e164)) {
    throw ValidationError.of(['phoneNumber'], `${phone.e164} is on the organisation’s do-not-call list`);
  }
  const window = { days: campaign.callingDays, start: campaign.callingStart, end: campaign.callingEnd, legalHours: campaign.clampToLegalHours };
  const recipient = recipientZones(null, phone.e164, campaign.timezone);
  const open = eligibilityInZones(window, recipient.zones, now);
  if (!open.eligible && !input.ignoreCallingWindow) {
    const closed = recipient.zones.find((zone) => !isWithinWindow(window, zone, now)) ?? recipient.zones[0]!;
    throw new OutsideCallingWindowError(closed, open.nextEligibleAt, open.reason);
  }
  const evidence = dialEvidence(recipient, window, now);
  return withEvents(app, TX.locked, async (tx, events) => {
    // The campaign row is locked by appendEvent's sequence bump; no call row is touched.
    const created = await tx.callAttempt.create({
      data: {
        campaignId: campaign.id,
        callId: null,
        number: 1,
        isTest: true,
        toNumber: phone.e164,
        telephonyStatus: 'QUEUED',
        testVariables,
        ...evidence,
        callingWindow: { ...evidence.callingWindow, ignoredByCaller: !open.eligible },
      },
    });
    events.push(await appendEvent(tx, campaign.id, TEST_CALL_EVENT));
    await recordAudit(tx, orgId, input.actor, {
      action: 'campaign.place_test_call',
      targetType: 'Campaign',
      targetId: campaign.id,
      after: { attemptId: created.id, ignoredCallingWindow: !open.eligible },
    });
    return created;
  });
}
