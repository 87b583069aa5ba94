/**
 * Organisation administration: minutes and the plan limit. Every change of the balance is a
 * balance transaction (billing.ts); a top-up that brings the balance above zero resumes the
 * campaigns that paused because it ran out (resumeFundedCampaigns), never one paused by hand.
 */
import type { App } from '../app.ts';
import type { Organization } from '../db/generated/prisma/client.ts';
import { transaction, TX } from '../db/transactions.ts';
import { DomainError, ValidationError } from '../domain/errors.ts';
import { type Actor, recordAudit } from './audit.ts';
import { changeBalance } from './billing.ts';
import { performAction } from './campaign-lifecycle.ts';

/** One top-up adds at most this many minutes (about 19 years of talk): a typo, not a purchase. */
export const MAX_TOP_UP_MINUTES = 10_000_000;
/** A plan limit of unique contacts at most this high (PostgreSQL int). */
const MAX_CONTACT_LIMIT = 2_000_000_000;

export async function addMinutes(app: App, orgId: string, input: { minutes: number; note?: string | null; actor?: Actor | null }): Promise<Organization> {
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > MAX_TOP_UP_MINUTES) {
    throw ValidationError.of(['minutes'], `a whole number of minutes from 1 to ${MAX_TOP_UP_MINUTES}`);
  }
  const note = input.note?.trim() || null;
  if (note && note.length > 500) throw ValidationError.of(['note'], 'at most 500 characters');
  await transaction(app.db, TX.locked, async (tx) => {
    const balance = await changeBalance(tx, orgId, input.minutes * 60, 'TOP_UP', note);
    await recordAudit(tx, orgId, input.actor, {
      action: 'organization.add_minutes',
      targetType: 'Organization',
      targetId: orgId,
      before: { balanceSeconds: balance - input.minutes * 60 },
      after: { balanceSeconds: balance, note },
    });
  });
  await resumeFundedCampaigns(app, orgId);
  return app.db.prisma.organization.findUniqueOrThrow({ where: { id: orgId } });
}

export async function updateOrganization(app: App, orgId: string, input: { contactLimit?: number | null; actor?: Actor | null }): Promise<Organization> {
  if (input.contactLimit !== undefined && input.contactLimit !== null) {
    if (!Number.isInteger(input.contactLimit) || input.contactLimit < 0 || input.contactLimit > MAX_CONTACT_LIMIT) {
      throw ValidationError.of(['contactLimit'], `a whole number from 0 to ${MAX_CONTACT_LIMIT}, or null for unlimited`);
    }
  }
  return transaction(app.db, TX.locked, async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: orgId }, select: { contactLimit: true } });
    const updated = await tx.organization.update({
      where: { id: orgId },
      data: input.contactLimit === undefined ? {} : { contactLimit: input.contactLimit },
    });
    await recordAudit(tx, orgId, input.actor, {
      action: 'organization.update',
      targetType: 'Organization',
      targetId: orgId,
      before,
      after: { contactLimit: updated.contactLimit },
    });
    return updated;
  });
}

/**
 * Resumes campaigns paused OUT_OF_MINUTES whose organisation has minutes again (all
 * organisations when `orgId` is null: the scheduler's sweep, which also covers a top-up whose
 * process died before it resumed them). Each through the lifecycle's RESUME, which re-checks the
 * balance and the status under the campaign lock.
 */
export async function resumeFundedCampaigns(app: App, orgId: string | null = null): Promise<string[]> {
  const paused = await app.db.prisma.campaign.findMany({
    where: {
      status: 'PAUSED',
      pauseReason: 'OUT_OF_MINUTES',
      deletedAt: null,
      organization: { balanceSeconds: { gt: 0 }, ...(orgId ? { id: orgId } : {}) },
    },
    select: { id: true },
  });
  const resumed: string[] = [];
  for (const { id } of paused) {
    try {
      await performAction(app, { orgId: null, campaignId: id, action: 'RESUME', onlyIfPausedFor: 'OUT_OF_MINUTES' });
      resumed.push(id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error; // resumed, stopped or paused by hand meanwhile
    }
  }
  return resumed;
}
