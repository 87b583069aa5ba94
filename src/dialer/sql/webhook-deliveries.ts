import type { App } from '../../app.ts';

export type ClaimedDelivery = {
  id: string;
  event_id: string;
  event: string;
  payload: unknown;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
};

/**
 * Takes up to `limit` deliveries that are due, each the oldest undelivered one of its endpoint
 * and campaign (so each campaign's events arrive in order), leasing them for `leaseMs`: a sender
 * that dies mid-delivery leaves them to be taken again (receivers deduplicate by event id).
 */
export async function claimDeliveries(app: App, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  return app.db.prisma.$queryRaw<ClaimedDelivery[]>`
    UPDATE webhook_delivery d SET lease_until = now() + ${leaseMs}::int * interval '1 millisecond', attempts = d.attempts + 1
      FROM webhook_endpoint e
     WHERE e.id = d.endpoint_id
       AND d.id IN (
         SELECT h.id FROM webhook_delivery h
          WHERE h.status = 'PENDING' AND h.next_attempt_at <= now() AND (h.lease_until IS NULL OR h.lease_until < now())
            AND NOT EXISTS (SELECT 1 FROM webhook_delivery p
                             WHERE p.endpoint_id = h.endpoint_id AND p.campaign_id = h.campaign_id AND p.status = 'PENDING' AND p.seq < h.seq)
          ORDER BY h.seq
          LIMIT ${limit}::int
            FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.event_id, d.event::text AS event, d.payload, d.attempts, d.created_at, e.url, e.secret`;
}

export async function markDelivered(app: App, id: string, statusCode: number): Promise<void> {
  await app.db.prisma.$executeRaw`
    UPDATE webhook_delivery SET status = 'DELIVERED', delivered_at = now(), lease_until = NULL, last_status_code = ${statusCode}::int, last_error = NULL
     WHERE id = ${id}::uuid`;
}

/** A failed try: due again at `retryAt`, or FAILED for good when `retryAt` is null. */
export async function markAttemptFailed(app: App, id: string, failure: { error: string; statusCode: number | null; retryAt: Date | null }): Promise<void> {
  await app.db.prisma.$executeRaw`
    UPDATE webhook_delivery
       SET status = CASE WHEN ${failure.retryAt}::timestamptz IS NULL THEN 'FAILED'::"WebhookDeliveryStatus" ELSE status END,
           next_attempt_at = coalesce(${failure.retryAt}::timestamptz, next_attempt_at),
           lease_until = NULL, last_error = ${failure.error.slice(0, 1000)}, last_status_code = ${failure.statusCode}::int
     WHERE id = ${id}::uuid`;
}
