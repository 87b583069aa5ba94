/**
 * `POST /webhooks/retell`: Retell's call events (call_started, call_ended, call_analyzed).
 *
 * No API key: the body is authenticated by its `x-retell-signature` (HMAC-SHA256 of the raw body
 * and a millisecond timestamp, keyed with the Retell API key; the SDK's `verify`, which also
 * refuses a timestamp more than 5 minutes away). A bad, missing or stale signature gets 401 and
 * nothing is recorded. A verified event is written to the provider inbox in one statement and
 * answered at once (Retell retries after 10 s); a worker applies it (dialer/providers/retell.ts).
 * The same (call, event) twice is recorded once.
 */
import { verify } from 'retell-sdk';
import { z } from 'zod';
import type { App } from '../app.ts';
import { UploadTooLargeError } from '../domain/errors.ts';
import { RETELL, RetellCall } from '../domain/retell-outcomes.ts';
import { limitedBytes } from '../services/contacts-csv.ts';
import { recordProviderEvent } from '../services/provider-events.ts';
import { problem, type Fetch } from './responses.ts';

export const RETELL_WEBHOOK_PATH = '/webhooks/retell';

/** A call object with a long transcript stays far below this. */
const MAX_WEBHOOK_BYTES = 10 * 1024 * 1024;

const RETELL_EVENTS = ['call_started', 'call_ended', 'call_analyzed'] as const;
const Envelope = z.looseObject({ event: z.string().max(100), call: z.unknown() });

/** The raw body as text, or null past `limit` bytes (the signature covers the exact bytes). */
async function rawBody(request: Request, limit: number): Promise<string | null> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return null;
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of limitedBytes(request.body, limit, () => {})) chunks.push(chunk);
  } catch (error) {
    if (error instanceof UploadTooLargeError) return null;
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function retellWebhookResponse(app: App, request: Request, fetchAPI: Pick<Fetch, 'Response'>): Promise<Response> {
  const retell = app.config.retell;
  if (!retell) return problem(fetchAPI, 404, 'Retell is not the configured provider (CALLBOARD_PROVIDER).', { code: 'NOT_FOUND' });
  if (request.method !== 'POST') return problem(fetchAPI, 405, 'Use POST.', { code: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
  const body = await rawBody(request, MAX_WEBHOOK_BYTES);
  if (body === null) return problem(fetchAPI, 413, 'The webhook body is too large.', { code: 'PAYLOAD_TOO_LARGE' });
  const signature = request.headers.get('x-retell-signature') ?? '';
  if (!(await verify(body, retell.apiKey, signature).catch(() => false))) {
    app.metrics.providerWebhooks.inc({ result: 'refused' });
    app.logger.warn({ path: RETELL_WEBHOOK_PATH }, 'Retell webhook refused: bad, missing or stale signature');
    return problem(fetchAPI, 401, 'Invalid x-retell-signature.', { code: 'UNAUTHENTICATED' });
  }
  let envelope: z.infer<typeof Envelope>;
  let call: RetellCall;
  try {
    envelope = Envelope.parse(JSON.parse(body));
    if (!(RETELL_EVENTS as readonly string[]).includes(envelope.event)) return new fetchAPI.Response(null, { status: 204 }); // not one we use
    call = RetellCall.parse(envelope.call);
  } catch (error) {
    return problem(fetchAPI, 400, `Unreadable Retell webhook: ${error instanceof Error ? error.message.slice(0, 300) : 'invalid JSON'}`, {
      code: 'BAD_REQUEST',
    });
  }
  const fresh = await recordProviderEvent(app, { provider: RETELL, providerCallId: call.call_id, event: envelope.event, payload: envelope.call });
  app.metrics.providerWebhooks.inc({ result: fresh ? 'recorded' : 'repeated' });
  if (!fresh) app.logger.debug({ callId: call.call_id, event: envelope.event }, 'Retell webhook repeated; already recorded');
  return new fetchAPI.Response(null, { status: 204 });
}
