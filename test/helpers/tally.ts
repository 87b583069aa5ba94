import type { App } from '../../src/app.ts';
import { computeStats } from '../../src/domain/stats.ts';

/**
 * Stats recomputed from the call rows with a GROUP BY: what the counters must always equal.
 * Tests compare this with the stats the API serves.
 */
export async function statsFromRows(app: App, campaignId: string, now = new Date()) {
  const rows = await app.db.prisma.$queryRaw<
    { status: string; outcome: string; calls: bigint; attempts: bigint; dialed: bigint; connected: bigint; duration: bigint }[]
  >`SELECT status::text, coalesce(outcome::text, '') AS outcome, count(*) AS calls, sum(attempt_count) AS attempts,
           sum((attempt_count > 0)::int) AS dialed, sum(connected::int) AS connected, sum(duration_seconds) AS duration
      FROM "call" WHERE campaign_id = ${campaignId}::uuid GROUP BY 1, 2`;
  const campaign = await app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  return computeStats(
    rows.map((r) => ({
      status: r.status,
      outcome: r.outcome,
      calls: r.calls,
      attempts: r.attempts,
      dialedCalls: r.dialed,
      connectedCalls: r.connected,
      durationSeconds: r.duration,
    })),
    campaign,
    now,
  );
}

/** Stats as served from the counters, for the same instant. */
export async function statsFromCounters(app: App, campaignId: string, now = new Date()) {
  const rows = await app.db.prisma.campaignCallTally.findMany({ where: { campaignId } });
  const campaign = await app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  return computeStats(rows, campaign, now);
}
