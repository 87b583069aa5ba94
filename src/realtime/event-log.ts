/**
 * The campaign event log, in one place: appending (inside the writer's transaction), publishing
 * (after commit), and reading back (replay, gap fill, the idle poll).
 *
 * Every change to a campaign or its calls appends one row to campaign_event. The sequence comes
 * from campaign.event_sequence, incremented in the same transaction: it is gapless and in commit
 * order per campaign (the campaign row lock serialises writers), so a dashboard can resume from
 * the last number it saw. The bus only rings the doorbell; this table is the truth.
 */
import type { Metrics } from '../metrics.ts';
import type { Database } from '../db/client.ts';
import { POLL_SQL_TAG } from '../db/sql-literals.ts';
import { transaction, type Tx, type TxKind } from '../db/transactions.ts';
import type { CallboardPubSub, CampaignEventMessage } from './pubsub.ts';

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

/** A call whose change an event records, with its status right after the change. */
export type CallChange = { id: string; status: string };

/**
 * Appends one event inside the caller's transaction. The call's status is kept in the row too,
 * so an event replayed from the log (reconnect, lost publish) filters like a live one:
 * callUpdated(statuses) never reads the call to decide.
 */
export async function appendEvent(tx: Tx, campaignId: string, kind: string, call?: CallChange | null): Promise<CampaignEventMessage> {
  const [row] = await tx.$queryRaw<{ sequence: number }[]>`
    UPDATE campaign SET event_sequence = event_sequence + 1 WHERE id = ${campaignId}::uuid RETURNING event_sequence AS sequence`;
  const sequence = row!.sequence;
  const created = await tx.campaignEvent.create({
    data: { campaignId, sequence, kind, callId: call?.id ?? null, payload: call ? { callStatus: call.status } : undefined },
    select: { createdAt: true },
  });
  return { campaignId, sequence, kind, callId: call?.id ?? null, callStatus: call?.status ?? null, createdAt: created.createdAt.toISOString() };
}

/**
 * appendEvent for a batch of call changes: the same rows and messages in two statements instead
 * of two per call. The dialer changes calls in batches of up to hundreds per transaction, where
 * one round trip per event was most of the transaction's time.
 */
export async function appendCallEvents(tx: Tx, campaignId: string, kind: string, calls: readonly CallChange[]): Promise<CampaignEventMessage[]> {
  if (calls.length === 0) return [];
  const [row] = await tx.$queryRaw<{ last: number }[]>`
    UPDATE campaign SET event_sequence = event_sequence + ${calls.length}::int
     WHERE id = ${campaignId}::uuid RETURNING event_sequence AS last`;
  const first = row!.last - calls.length + 1;
  const values = calls.map((c, i) => ({ sequence: first + i, call_id: c.id, status: c.status }));
  const inserted = await tx.$queryRaw<{ created_at: Date }[]>`
    INSERT INTO campaign_event (campaign_id, sequence, kind, call_id, payload)
    SELECT ${campaignId}::uuid, v.sequence, ${kind}, v.call_id, jsonb_build_object('callStatus', v.status)
      FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb) AS v(sequence int, call_id uuid, status text)
     ORDER BY v.sequence
    RETURNING created_at`;
  // One transaction, one now(): every row carries the same instant.
  const createdAt = (inserted[0]?.created_at ?? new Date()).toISOString();
  return values.map((v) => ({ campaignId, sequence: v.sequence, kind, callId: v.call_id, callStatus: v.status, createdAt }));
}

/** Publishes events after their transaction committed (never before: a rollback would lie). */
export function publishEvents(pubsub: CallboardPubSub, events: readonly CampaignEventMessage[]): void {
  for (const event of events) pubsub.publish('campaign:event', event.campaignId, event);
}

/**
 * Runs `work` in a transaction with an event list to append to, and publishes what it appended
 * once the transaction committed — the shape of every writer of campaign state.
 */
export async function withEvents<T>(
  app: { db: Database; pubsub: CallboardPubSub; metrics: Metrics },
  kind: TxKind,
  work: (tx: Tx, events: CampaignEventMessage[]) => Promise<T>,
): Promise<T> {
  let events: CampaignEventMessage[] = [];
  const result = await transaction(app.db, kind, (tx) => {
    events = []; // a run again after a deadlock starts from an empty list
    return work(tx, events);
  });
  publishEvents(app.pubsub, events);
  app.metrics.eventsPublished.inc(events.length);
  return result;
}

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
export async function readEvents(db: Database, campaignId: string, after: number, upTo: number | null, limit: number): Promise<StreamEvent[]> {
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
