import type { App } from '../app.ts';
import { DomainError } from '../domain/errors.ts';
import { performAction } from '../services/campaign-lifecycle.ts';

// Pauses the dialer decides on (no minutes left, a failing provider), taken through the same
// lifecycle transition as a user's pauseCampaign.

/**
 * The organisation ran out of minutes: every RUNNING campaign of it pauses with OUT_OF_MINUTES
 * (resume is then refused with InsufficientBalance until minutes are added). One lifecycle action
 * per campaign, after the billing transaction committed: locking several campaign rows in one
 * transaction could deadlock with another worker doing the same.
 */
export async function pauseOutOfMinutes(app: App, organizationId: string): Promise<string[]> {
  const running = await app.db.prisma.campaign.findMany({
    where: { organizationId, status: 'RUNNING', deletedAt: null },
    select: { id: true },
  });
  const paused: string[] = [];
  for (const { id } of running) {
    if (await pauseFor(app, id, 'OUT_OF_MINUTES')) paused.push(id);
  }
  return paused;
}

/** Pauses one campaign on behalf of the system; false when it is no longer RUNNING. */
export async function pauseFor(app: App, campaignId: string, pauseReason: 'OUT_OF_MINUTES' | 'SYSTEM_FAILURE'): Promise<boolean> {
  try {
    await performAction(app, { orgId: null, campaignId, action: 'PAUSE', pauseReason });
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false; // paused, stopped or deleted meanwhile
    throw error;
  }
}
