import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import type { Tx } from './events.ts';

/**
 * appendEvent (events.ts) for a batch of call changes: the same rows and bus messages — sequence
 * from campaign.event_sequence, payload { callStatus } — in two statements instead of two per
 * call. The dialer changes calls in batches of up to hundreds per transaction, where one
 * round trip per event was most of the transaction's time. Keep the row shape in step with
 * appendEvent: the realtime log reads both alike.
 */
export async function appendCallEvents(
  tx: Tx,
  campaignId: string,
  kind: string,
  calls: readonly { id: string; status: string }[],
): Promise<CampaignEventMessage[]> {
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
