import type { Prisma } from '../db/generated/prisma/client.ts';
import type { CallboardPubSub, CampaignEventMessage } from '../realtime/pubsub.ts';

export type Tx = Prisma.TransactionClient;

/**
 * Appends one event to a campaign's log inside the caller's transaction. The sequence comes from
 * campaign.event_sequence, incremented in the same transaction: it is gapless and in commit order
 * per campaign (the row lock serialises writers), so a dashboard can resume from its last number.
 */
export async function appendEvent(
  tx: Tx,
  campaignId: string,
  kind: string,
  call?: { id: string; status: string } | null,
): Promise<CampaignEventMessage> {
  const [row] = await tx.$queryRaw<{ sequence: number }[]>`
    UPDATE campaign SET event_sequence = event_sequence + 1 WHERE id = ${campaignId}::uuid RETURNING event_sequence AS sequence`;
  const sequence = row!.sequence;
  // The call's status is kept in the row too, so an event replayed from the log (reconnect, lost
  // publish) filters like a live one: callUpdated(statuses) never reads the call to decide.
  const created = await tx.campaignEvent.create({
    data: { campaignId, sequence, kind, callId: call?.id ?? null, payload: call ? { callStatus: call.status } : undefined },
    select: { createdAt: true },
  });
  return {
    campaignId,
    sequence,
    kind,
    callId: call?.id ?? null,
    callStatus: call?.status ?? null,
    createdAt: created.createdAt.toISOString(),
  };
}

/** Publishes events after their transaction committed (never before: a rollback would lie). */
export function publishEvents(pubsub: CallboardPubSub, events: CampaignEventMessage[]): void {
  for (const event of events) pubsub.publish('campaign:event', event.campaignId, event);
}
