/**
 * Delivers the webhook outbox (services/webhooks.ts): POSTs each due delivery, signed, and records
 * the answer. Runs beside the dialer worker (never in the API's request path, so a slow endpoint
 * slows nothing but its own deliveries); any number of senders may run, the claim's lease keeps
 * them apart. At least once: receivers deduplicate by the event id (body `id`, header
 * `callboard-event-id`).
 *
 * Signature: `callboard-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 * Retries: 2xx is delivered; anything else (or no answer in 10 s) is tried again after 10 s,
 * 20 s, 40 s … at most an hour apart, for a day; then the delivery is FAILED and the campaign's
 * later events for that endpoint go on.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { App } from '../app.ts';
import { guardedLookup, targetPolicy, type TargetPolicy } from '../services/webhook-targets.ts';
import { delay } from './async-utils.ts';
import { claimDeliveries, markAttemptFailed, markDelivered, type ClaimedDelivery } from './sql/webhook-deliveries.ts';

export type WebhookSenderOptions = {
  /** How often to look for due deliveries. */
  pollIntervalMs?: number;
  /** First retry delay; doubles per try up to maxRetryDelayMs. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Deliveries older than this are given up (FAILED). */
  giveUpAfterMs?: number;
  timeoutMs?: number;
};

const DEFAULTS = { pollIntervalMs: 1000, retryBaseMs: 10_000, maxRetryDelayMs: 3600_000, giveUpAfterMs: 24 * 3600_000, timeoutMs: 10_000 };

export type RunningSender = { stop(): Promise<void> };

export function sign(secret: string, body: string, at = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export function startWebhookSender(app: App, options: WebhookSenderOptions = {}): RunningSender {
  const opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const policy = targetPolicy(app.config.nodeEnv);
  const log = app.logger.child({ part: 'webhooks' });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const due = await claimDeliveries(app, 20, opts.timeoutMs * 3);
        await Promise.all(due.map((d) => deliver(app, d, policy, opts, log)));
        if (due.length > 0) continue; // more may be waiting
      } catch (error) {
        if (!stopped) log.error({ err: error }, 'webhook delivery round failed');
      }
      await delay(opts.pollIntervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function deliver(app: App, d: ClaimedDelivery, policy: TargetPolicy, opts: typeof DEFAULTS, log: App['logger']): Promise<void> {
  const body = JSON.stringify(d.payload);
  const answer = await post(
    d.url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'callboard-webhooks',
      'callboard-event-id': d.event_id,
      'callboard-event-type': (d.payload as { type?: string }).type ?? d.event,
      'callboard-signature': sign(d.secret, body),
    },
    policy,
    opts.timeoutMs,
  );
  const delivered = answer.status !== null && answer.status >= 200 && answer.status < 300;
  app.metrics.webhookDeliveries.inc({ result: delivered ? 'delivered' : 'failed' });
  if (delivered) return markDelivered(app, d.id, answer.status!);
  const error = answer.error ?? `HTTP ${answer.status}`;
  const delayMs = Math.min(opts.retryBaseMs * 2 ** (d.attempts - 1), opts.maxRetryDelayMs);
  const retryAt = Date.now() + delayMs - d.created_at.getTime() > opts.giveUpAfterMs ? null : new Date(Date.now() + delayMs);
  if (!retryAt) log.warn({ deliveryId: d.id, url: d.url, error }, 'webhook delivery given up');
  await markAttemptFailed(app, d.id, { error, statusCode: answer.status, retryAt });
}

/** One POST with its own guarded DNS lookup, no redirects followed; never throws. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: TargetPolicy,
  timeoutMs: number,
): Promise<{ status: number | null; error?: string }> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: guardedLookup(policy), timeout: timeoutMs },
      (res) => {
        res.resume(); // the answer's body is not needed
        res.on('end', () => resolve({ status: res.statusCode ?? null }));
        res.on('error', (error) => resolve({ status: null, error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: null, error: error.message }));
    req.end(body);
  });
}
