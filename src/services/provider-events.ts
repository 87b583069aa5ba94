/**
 * The provider inbox: webhooks a provider sends (Retell's call_started / call_ended /
 * call_analyzed) are written here by the API in one statement before it answers, and taken by
 * whichever dialer worker polls next. Writing first and working later keeps the answer fast (a
 * provider retries a webhook that takes too long) and loses nothing when the API and the workers
 * are different processes.
 */
import type { App } from '../app.ts';

export type ProviderEventInput = { provider: string; providerCallId: string; event: string; payload: unknown };

/** Records an event once per (provider, call, event): false when it was already there (a repeat). */
export async function recordProviderEvent(app: App, input: ProviderEventInput): Promise<boolean> {
  const inserted = await app.db.prisma.$executeRaw`
    INSERT INTO provider_event (provider, provider_call_id, event, payload)
    VALUES (${input.provider}, ${input.providerCallId}, ${input.event}, ${JSON.stringify(input.payload)}::jsonb)
    ON CONFLICT (provider, provider_call_id, event) DO NOTHING`;
  return inserted > 0;
}

export type TakenProviderEvent = { event: string; payload: unknown };

/**
 * Takes up to `limit` events not taken yet, oldest first, marking them taken in the same
 * statement (workers polling at once take different rows). A worker that dies before applying
 * what it took loses nothing for good: its calls' results are looked up at the provider when
 * they are overdue (the worker's reconciliation).
 */
export async function takeProviderEvents(app: App, provider: string, limit: number): Promise<TakenProviderEvent[]> {
  return app.db.prisma.$queryRaw<TakenProviderEvent[]>`
    UPDATE provider_event SET processed_at = now()
     WHERE id IN (SELECT id FROM provider_event
                   WHERE processed_at IS NULL AND provider = ${provider}
                   ORDER BY id LIMIT ${limit}::int
                     FOR UPDATE SKIP LOCKED)
    RETURNING event, payload`;
}

/** Applied events are kept this long (a provider retries a webhook for hours, not days), then deleted. */
export const PROVIDER_EVENT_RETENTION_DAYS = 7;

/** Deletes applied events past the retention: the inbox does not grow with every call ever made. */
export async function pruneProviderEvents(app: App, retentionDays = PROVIDER_EVENT_RETENTION_DAYS): Promise<number> {
  return app.db.prisma.$executeRaw`
    DELETE FROM provider_event WHERE processed_at < now() - ${retentionDays}::int * interval '1 day'`;
}
