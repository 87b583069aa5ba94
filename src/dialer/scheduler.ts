import type { App } from '../app.ts';
import { DomainError, InvalidCampaignTransitionError, NotFoundError } from '../domain/errors.ts';
import { NotDueError, performAction } from '../services/campaign-lifecycle.ts';
import { resumeFundedCampaigns } from '../services/organization.ts';

/**
 * Starts SCHEDULED campaigns whose startAt has come (at or before `now`); returns the ids it
 * started. Safe with several processes: each start goes through the campaign row lock and the
 * state machine, so a campaign another process already started is refused there and skipped, and
 * one rescheduled to later meanwhile is not started (dueBy). A campaign that cannot start (no
 * contacts, no balance) stays SCHEDULED and is tried again on the next tick; the walk is paged by
 * (scheduledAt, id), so a hundred such campaigns never starve the ones behind them.
 */
export async function startDueCampaigns(app: App, now = new Date(), batchSize = 100): Promise<string[]> {
  const started: string[] = [];
  let after: { scheduledAt: Date; id: string } | null = null;
  for (;;) {
    const due: { id: string; scheduledAt: Date | null }[] = await app.db.prisma.campaign.findMany({
      where: {
        status: 'SCHEDULED',
        deletedAt: null,
        scheduledAt: { lte: now },
        ...(after ? { OR: [{ scheduledAt: { gt: after.scheduledAt } }, { scheduledAt: after.scheduledAt, id: { gt: after.id } }] } : {}),
      },
      select: { id: true, scheduledAt: true },
      orderBy: [{ scheduledAt: 'asc' }, { id: 'asc' }],
      take: batchSize,
    });
    for (const { id } of due) {
      try {
        await performAction(app, { orgId: null, campaignId: id, action: 'START', dueBy: now });
        started.push(id);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const raced = error instanceof NotDueError || error instanceof InvalidCampaignTransitionError || error instanceof NotFoundError;
        if (raced) {
          // Another process started it, or it was rescheduled, stopped or deleted meanwhile.
          app.logger.debug({ campaignId: id, reason: error.message }, 'scheduled campaign no longer due');
        } else {
          // e.g. no contacts, no balance or no agent: the campaign stays SCHEDULED, and the API
          // says why (Campaign.scheduleProblem) until a start succeeds or it is rescheduled.
          app.logger.warn({ campaignId: id, reason: error.message }, 'scheduled campaign could not start');
          await app.db.prisma.campaign.updateMany({
            // Written once per new reason, not every second (NULL is not "<> reason" in SQL).
            where: { id, status: 'SCHEDULED', OR: [{ scheduleProblem: null }, { scheduleProblem: { not: error.message } }] },
            data: { scheduleProblem: error.message },
          });
        }
      }
    }
    const last = due.at(-1);
    if (due.length < batchSize || !last?.scheduledAt) break;
    after = { scheduledAt: last.scheduledAt, id: last.id };
  }
  return started;
}

/**
 * Every `intervalMs` (1 s: a schedule is honoured within a second): starts due campaigns, and
 * resumes campaigns paused OUT_OF_MINUTES whose organisation has minutes again.
 */
export function startScheduler(app: App, intervalMs = 1000): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        await startDueCampaigns(app);
        await resumeFundedCampaigns(app);
      })
      .catch((error) => app.logger.error({ err: error }, 'scheduler tick failed'));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
