import type { Database } from '../db/client.ts';
import type { CampaignEventMessage } from './pubsub.ts';

/** One entry of a campaign's event log, as subscribers see it (live or replayed alike). */
export interface StreamEvent {
  campaignId: string;
  /** 1, 2, 3… per campaign, without gaps, in commit order. */
  sequence: number;
  kind: string;
  callId: string | null;
  callStatus: string | null;
  createdAt: Date;
}

/** Tags the poll so tests that count SQL per event can tell it from per-event work. */
export const POLL_SQL_TAG = 'callboard:realtime-poll';

export function eventFromMessage(message: CampaignEventMessage): StreamEvent {
  return {
    campaignId: message.campaignId,
    sequence: message.sequence,
    kind: message.kind,
    callId: message.callId,
    callStatus: message.callStatus,
    // A publisher that predates createdAt on the bus: the receive time is within milliseconds.
    createdAt: message.createdAt ? new Date(message.createdAt) : new Date(),
  };
}

/** Events with `after < sequence <= upTo`, oldest first, at most `limit`. */
export async function readEvents(
  db: Database,
  campaignId: string,
  after: number,
  upTo: number | null,
  limit: number,
): Promise<StreamEvent[]> {
  const rows = await db.prisma.campaignEvent.findMany({
    where: { campaignId, sequence: upTo == null ? { gt: after } : { gt: after, lte: upTo } },
    orderBy: { sequence: 'asc' },
    take: limit,
  });
  return rows.map((row) => ({
    campaignId: row.campaignId,
    sequence: row.sequence,
    kind: row.kind,
    callId: row.callId,
    callStatus: (row.payload as { callStatus?: string } | null)?.callStatus ?? null,
    createdAt: row.createdAt,
  }));
}

/** The last sequence handed out per campaign (0 for a campaign without events; absent if unknown). */
export async function latestSequences(db: Database, campaignIds: string[]): Promise<Map<string, number>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await db.prisma.$queryRawUnsafe<{ id: string; event_sequence: number }[]>(
    `/* ${POLL_SQL_TAG} */ SELECT id::text AS id, event_sequence FROM campaign WHERE id = ANY($1::uuid[])`,
    campaignIds,
  );
  return new Map(rows.map((row) => [row.id, Number(row.event_sequence)]));
}
