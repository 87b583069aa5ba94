import { SUCCESS_OUTCOMES, type CallOutcome } from './retry-policy.ts';

/**
 * Campaign stats from the tally rows (one per status × outcome), never from call rows: reading
 * them costs the same at 10 calls or 1M. Pure: the same rows always give the same numbers.
 */
export interface TallyRow {
  status: string;
  outcome: string;
  calls: bigint | number;
  attempts: bigint | number;
  dialedCalls: bigint | number;
  connectedCalls: bigint | number;
  durationSeconds: bigint | number;
}

export interface CampaignStats {
  total: number;
  pending: number;
  inProgress: number;
  retryScheduled: number;
  /** Of retryScheduled: calls waiting for the time the person asked to be called back at. */
  callbacksScheduled: number;
  completed: number;
  failed: number;
  skipped: number;
  canceled: number;
  byOutcome: { outcome: string; count: number }[];
  attempts: number;
  dialedCalls: number;
  connectedCalls: number;
  successfulCalls: number;
  totalTimeSpentSeconds: number;
  averageDurationSeconds: number | null;
  successRate: number | null;
  connectRate: number | null;
  progress: number;
  estimatedCompletionAt: Date | null;
}

const STATUS_FIELD = {
  PENDING: 'pending',
  IN_PROGRESS: 'inProgress',
  RETRY_SCHEDULED: 'retryScheduled',
  COMPLETED: 'completed',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  CANCELED: 'canceled',
} as const;

export function computeStats(rows: TallyRow[], campaign: { status: string; startedAt: Date | null }, now: Date = new Date()): CampaignStats {
  const s = {
    total: 0,
    pending: 0,
    inProgress: 0,
    retryScheduled: 0,
    callbacksScheduled: 0,
    completed: 0,
    failed: 0,
    skipped: 0,
    canceled: 0,
    attempts: 0,
    dialedCalls: 0,
    connectedCalls: 0,
    successfulCalls: 0,
    totalTimeSpentSeconds: 0,
  };
  const byOutcome = new Map<string, number>();
  for (const row of rows) {
    const calls = Number(row.calls);
    s.total += calls;
    s[STATUS_FIELD[row.status as keyof typeof STATUS_FIELD]] += calls;
    s.attempts += Number(row.attempts);
    s.dialedCalls += Number(row.dialedCalls);
    s.connectedCalls += Number(row.connectedCalls);
    s.totalTimeSpentSeconds += Number(row.durationSeconds);
    if (row.status === 'RETRY_SCHEDULED' && row.outcome === 'CALLBACK_REQUESTED') s.callbacksScheduled += calls;
    if (row.outcome && calls) byOutcome.set(row.outcome, (byOutcome.get(row.outcome) ?? 0) + calls);
    if (row.status === 'COMPLETED' && SUCCESS_OUTCOMES.has(row.outcome as CallOutcome)) s.successfulCalls += calls;
  }
  const finishedDialed = s.completed + s.failed;
  const done = s.completed + s.failed + s.skipped + s.canceled;
  const progress = s.total ? done / s.total : 0;
  return {
    ...s,
    byOutcome: [...byOutcome]
      .filter(([, n]) => n > 0)
      .map(([outcome, count]) => ({ outcome, count }))
      .sort((a, b) => a.outcome.localeCompare(b.outcome)),
    averageDurationSeconds: s.connectedCalls ? s.totalTimeSpentSeconds / s.connectedCalls : null,
    successRate: finishedDialed ? s.successfulCalls / finishedDialed : null,
    connectRate: s.dialedCalls ? s.connectedCalls / s.dialedCalls : null,
    progress,
    estimatedCompletionAt: estimate(s.completed + s.failed, s.pending + s.retryScheduled + s.inProgress, campaign, now),
  };
}

/** Linear estimate from the pace since the campaign started; null when there is no pace yet. */
function estimate(finished: number, remaining: number, campaign: { status: string; startedAt: Date | null }, now: Date) {
  if (campaign.status !== 'RUNNING' || !campaign.startedAt || finished === 0 || remaining === 0) return null;
  const elapsed = now.getTime() - campaign.startedAt.getTime();
  if (elapsed <= 0) return null;
  return new Date(now.getTime() + (elapsed / finished) * remaining);
}

/**
 * How long a campaign has run: from its first dial to its end (completion or stop), or to `now`
 * while it is still going; null before anything was dialed.
 */
export function campaignDurationSeconds(
  campaign: { firstDialedAt: Date | null; completedAt: Date | null; canceledAt: Date | null },
  now: Date = new Date(),
): number | null {
  if (!campaign.firstDialedAt) return null;
  const end = campaign.completedAt ?? campaign.canceledAt ?? now;
  return Math.max(0, Math.round((end.getTime() - campaign.firstDialedAt.getTime()) / 1000));
}
