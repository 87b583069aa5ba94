/**
 * Result webhooks: endpoints an organisation registers, and the outbox rows (webhook_delivery)
 * written inside the transaction that produced the event — so an event is delivered if and only
 * if its change committed, and a crash loses nothing. dialer/webhook-sender.ts delivers them.
 */
import { randomBytes } from 'node:crypto';
import type { App } from '../app.ts';
import type { WebhookEndpoint, WebhookEvent } from '../db/generated/prisma/client.ts';
import { transaction, TX, type Tx } from '../db/transactions.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { globalId } from '../domain/ids.ts';
import { recordAudit, type Actor } from './audit.ts';
import { checkWebhookUrl, targetPolicy } from './webhook-targets.ts';

/** Endpoints per organisation at most: each event is written once per endpoint. */
export const MAX_ENDPOINTS = 20;

export const WEBHOOK_TYPES: Record<WebhookEvent, string> = {
  CALL_FINISHED: 'call.finished',
  CAMPAIGN_STATUS_CHANGED: 'campaign.status_changed',
};

export async function createWebhookEndpoint(
  app: App,
  orgId: string,
  input: { url: string; events: readonly WebhookEvent[]; actor?: Actor | null },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = checkWebhookUrl(input.url.trim(), targetPolicy(app.config.nodeEnv));
  const events = [...new Set(input.events)];
  if (events.length === 0) throw ValidationError.of(['events'], 'choose at least one event');
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const endpoint = await transaction(app.db, TX.locked, async (tx) => {
    // Under the organisation lock, so two concurrent creations cannot both pass the cap.
    await tx.$queryRaw`SELECT id FROM organization WHERE id = ${orgId}::uuid FOR UPDATE`;
    if ((await tx.webhookEndpoint.count({ where: { organizationId: orgId } })) >= MAX_ENDPOINTS) {
      throw ValidationError.of(['url'], `at most ${MAX_ENDPOINTS} webhook endpoints per organisation; delete one first`);
    }
    const created = await tx.webhookEndpoint.create({ data: { organizationId: orgId, url: url.toString(), events, secret } });
    await recordAudit(tx, orgId, input.actor, {
      action: 'webhook_endpoint.create',
      targetType: 'WebhookEndpoint',
      targetId: created.id,
      after: { url: created.url, events },
    });
    return created;
  });
  return { endpoint, secret };
}

export async function deleteWebhookEndpoint(app: App, orgId: string, input: { id: string; actor?: Actor | null }): Promise<string> {
  return transaction(app.db, TX.locked, async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: input.id, organizationId: orgId } });
    if (!endpoint) throw new NotFoundError('WebhookEndpoint', input.id);
    // Its undelivered events go with it (they were meant for this URL only).
    await tx.webhookEndpoint.delete({ where: { id: endpoint.id } });
    await recordAudit(tx, orgId, input.actor, {
      action: 'webhook_endpoint.delete',
      targetType: 'WebhookEndpoint',
      targetId: endpoint.id,
      before: { url: endpoint.url, events: endpoint.events },
    });
    return endpoint.id;
  });
}

/** The body a receiver gets: { id, type, createdAt, data }. */
export function webhookBody(eventId: string, event: WebhookEvent, data: Record<string, unknown>, at = new Date()) {
  return { id: eventId, type: WEBHOOK_TYPES[event], createdAt: at.toISOString(), data };
}

/**
 * Writes one outbox row per (event, subscribed endpoint) in the caller's transaction: nothing
 * when the organisation has no endpoint for `event` (one index probe).
 */
export async function enqueueWebhooks(
  tx: Tx,
  orgId: string,
  event: WebhookEvent,
  campaignId: string,
  data: () => Promise<Record<string, unknown>[]>,
): Promise<void> {
  const [subscribed] = await tx.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM webhook_endpoint WHERE organization_id = ${orgId}::uuid AND ${event}::"WebhookEvent" = ANY(events)) AS any`;
  if (!subscribed?.any) return;
  const bodies = (await data()).map((d) => {
    const eventId = crypto.randomUUID();
    return { event_id: eventId, payload: webhookBody(eventId, event, d) };
  });
  if (bodies.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO webhook_delivery (id, endpoint_id, event_id, event, campaign_id, payload)
    SELECT gen_random_uuid(), e.id, (b.item->>'event_id')::uuid, ${event}::"WebhookEvent", ${campaignId}::uuid, b.item->'payload'
      FROM jsonb_array_elements(${JSON.stringify(bodies)}::jsonb) WITH ORDINALITY AS b(item, n)
      JOIN webhook_endpoint e ON e.organization_id = ${orgId}::uuid AND ${event}::"WebhookEvent" = ANY(e.events)
     ORDER BY b.n, e.id`;
}

/** CAMPAIGN_STATUS_CHANGED's data, from a transition (services/campaign-lifecycle.ts). */
export function campaignStatusData(c: { id: string; name: string }, change: { from: string; to: string; action: string; pauseReason: string | null }) {
  return { campaign: { id: globalId('Campaign', c.id), name: c.name }, ...change };
}

type FinishedRow = {
  call_id: string;
  name: string;
  phone_number: string;
  status: string;
  outcome: string | null;
  attempt_count: number;
  variables: unknown;
  attempt_id: string;
  number: number;
  attempt_outcome: string | null;
  answered_by: string | null;
  duration_seconds: number | null;
  started_at: Date;
  ended_at: Date | null;
  summary: string | null;
  transcript: string | null;
  recording_url: string | null;
  cost_cents: number | null;
};

/** CALL_FINISHED's data for attempts whose results were just applied (in the same transaction). */
export async function callFinishedData(tx: Tx, campaign: { id: string; name: string }, attemptIds: string[]): Promise<Record<string, unknown>[]> {
  const rows = await tx.$queryRaw<FinishedRow[]>`
    SELECT c.id AS call_id, c.name, c.phone_number, c.status::text AS status, c.outcome::text AS outcome, c.attempt_count, c.variables,
           a.id AS attempt_id, a.number, a.outcome::text AS attempt_outcome, a.answered_by::text AS answered_by, a.duration_seconds,
           a.started_at, a.ended_at, a.summary, a.transcript, a.recording_url, a.cost_cents
      FROM call_attempt a JOIN "call" c ON c.id = a.call_id
     WHERE a.id = ANY(${attemptIds}::uuid[])
     ORDER BY a.ended_at, a.id`;
  return rows.map((r) => ({
    campaign: { id: globalId('Campaign', campaign.id), name: campaign.name },
    call: {
      id: globalId('Call', r.call_id),
      name: r.name,
      phoneNumber: r.phone_number,
      status: r.status,
      outcome: r.outcome,
      attempts: r.attempt_count,
      variables: r.variables,
    },
    attempt: {
      id: globalId('CallAttempt', r.attempt_id),
      number: r.number,
      outcome: r.attempt_outcome,
      answeredBy: r.answered_by,
      durationSeconds: r.duration_seconds,
      startedAt: r.started_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
      summary: r.summary,
      transcript: r.transcript,
      recordingUrl: r.recording_url,
      costCents: r.cost_cents,
    },
  }));
}
