import type { App } from '../app.ts';
import { DomainError } from '../domain/errors.ts';
import { performAction } from './campaign-lifecycle.ts';

/**
 * Starts SCHEDULED campaigns whose startAt has come. Safe with several processes: each start goes
 * through the campaign row lock and the state machine, so a campaign another process already
 * started is refused (InvalidCampaignTransition) and skipped.
 */
export async function startDueCampaigns(app: App, now = new Date()): Promise<string[]> {
  const due = await app.db.prisma.campaign.findMany({
    where: { status: 'SCHEDULED', deletedAt: null, scheduledAt: { lte: now } },
    select: { id: true },
    orderBy: { scheduledAt: 'asc' },
    take: 100,
  });
  const started: string[] = [];
  for (const { id } of due) {
    try {
      await performAction(app, { orgId: null, campaignId: id, action: 'START' });
      started.push(id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // e.g. no contacts or no balance: the campaign stays SCHEDULED and the reason is logged.
      app.logger.warn({ campaignId: id, reason: error.message }, 'scheduled campaign could not start');
    }
  }
  return started;
}

/** Runs startDueCampaigns every `intervalMs` (1 s: a schedule is honoured within a second). */
export function startScheduler(app: App, intervalMs = 1000): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => startDueCampaigns(app)).catch((error) => app.logger.error({ err: error }, 'scheduler tick failed'));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
