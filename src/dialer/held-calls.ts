/**
 * The worker's calls between claim and result: dialing them, asking the provider about the ones
 * in doubt, putting back the ones never dialed, and taking over calls whose lease expired.
 * Nothing is ever redialed blindly: a call in doubt is looked up by its attempt id first.
 */
import { inSpan } from '../tracing.ts';
import { inChunks, groupBy } from './async-utils.ts';
import type { DialRequest, ProviderLookup } from './provider.ts';
import { revertUndialed, NOT_DIALED_MESSAGE } from './sql/revert-undialed.ts';
import { findExpiredLeases, takeExpiredLeases } from './sql/take-expired-leases.ts';
import type { Held, WorkerContext } from './worker-context.ts';

export class HeldCalls {
  constructor(private readonly w: WorkerContext) {}

  async dial(held: Held, request: DialRequest): Promise<void> {
    const { w } = this;
    // Dial only while the lease surely holds (a third of it to spare): past that, another worker
    // may have found the attempt 'unknown' at the provider and put the call back in the queue.
    if (w.isDead()) return;
    if (Date.now() > held.dialBy - w.opts.leaseMs / 3) {
      held.state = 'unsure';
      return;
    }
    let providerCallId: string;
    try {
      ({ providerCallId } = await inSpan(
        'callboard.dial',
        {
          'callboard.campaign.id': held.campaignId,
          'callboard.call.id': held.callId,
          'callboard.attempt.id': request.attemptId,
          'callboard.provider': w.provider.name,
        },
        () => w.provider.dial(request),
      ));
    } catch (error) {
      if (w.isDead()) return;
      w.app.metrics.dialFailures.inc();
      held.state = 'unsure';
      held.dialError = error instanceof Error ? error.message : String(error);
      w.log.warn({ callId: held.callId, err: error }, 'dial failed; asking the provider whether it happened');
      await this.reconcile(held);
      return;
    }
    if (w.isDead()) return;
    w.app.metrics.callsDialed.inc();
    held.providerCallId = providerCallId;
    if (held.state === 'dialing') held.state = 'dialed';
    held.since = Date.now();
    w.accepted.set(request.attemptId, providerCallId);
  }

  /** Asks the provider what became of a held call's attempt and acts on the answer. */
  async reconcile(held: Held): Promise<void> {
    const { w } = this;
    held.lastLookupAt = Date.now();
    if (!held.attemptId) return this.putBack(held);
    let found: ProviderLookup;
    try {
      found = await w.provider.lookupByAttempt(held.attemptId);
    } catch (error) {
      w.app.metrics.reconciliations.inc({ answer: 'error' });
      w.log.warn({ err: error, callId: held.callId }, 'provider lookup failed; will ask again');
      return;
    }
    w.app.metrics.reconciliations.inc({ answer: found.state });
    if (w.isDead() || w.held.get(held.callId) !== held) return;
    if (found.state === 'finished') {
      w.enqueue(held.campaignId, found.result);
    } else if (found.state === 'in-progress') {
      if (held.state === 'unsure') held.state = 'adopted';
      if (!held.providerCallId) {
        held.providerCallId = found.providerCallId;
        w.accepted.set(held.attemptId, found.providerCallId);
      }
    } else {
      await this.putBack(held);
    }
  }

  /** The provider never accepted this attempt: the call goes back to the queue (see revertUndialed). */
  private async putBack(held: Held): Promise<void> {
    const { w } = this;
    const failedDial = held.dialError !== undefined;
    try {
      await revertUndialed(w.app, held.campaignId, [{ callId: held.callId, attemptId: held.attemptId }], {
        workerId: w.id,
        retryAt: failedDial ? new Date(Date.now() + w.opts.dialFailureBackoffMs) : null,
        waitReason: failedDial ? `the telephony provider did not accept the call (${held.dialError}); it will be tried again` : null,
        errorMessage: failedDial ? `not dialed: the telephony provider refused it (${held.dialError})` : NOT_DIALED_MESSAGE,
      });
    } catch (error) {
      w.log.error({ err: error, callId: held.callId }, 'could not put an undialed call back; its lease will expire');
      return;
    }
    if (w.held.get(held.callId) === held) w.held.delete(held.callId);
    if (failedDial) await w.health.failed(held.campaignId);
    w.wake();
  }

  /** Held calls that need the provider's word: taken over, failed dials, or results overdue. */
  async reconcileDue(): Promise<void> {
    const { opts } = this.w;
    const now = Date.now();
    const due = [...this.w.held.values()].filter((h) => {
      if (h.state === 'dialing') return false;
      const every = h.state === 'dialed' ? opts.resultTimeoutMs : opts.pollIntervalMs;
      return now - Math.max(h.since, h.lastLookupAt) >= every;
    });
    await inChunks(due, 20, (h) => this.reconcile(h));
  }

  /** Takes over calls whose lease expired (their worker died or gave up) and reconciles them. */
  async recoverExpired(): Promise<void> {
    const { w } = this;
    const expired = await findExpiredLeases(w.app, 100);
    for (const [campaignId, rows] of groupBy(expired, (r) => r.campaign_id)) {
      if (w.isDead() || !w.isRunning()) return;
      const taken = await takeExpiredLeases(
        w.app,
        campaignId,
        rows.map((r) => r.id),
        w.id,
        w.opts.leaseMs,
      );
      if (taken.length === 0) continue;
      w.app.metrics.leaseTakeovers.inc(taken.length);
      w.log.info({ campaignId, calls: taken.length }, 'took over calls with expired leases; reconciling with the provider');
      const now = Date.now();
      const helds = taken.map(
        (t): Held => ({
          callId: t.callId,
          campaignId,
          attemptId: t.attemptId,
          providerCallId: t.providerCallId,
          state: 'unsure',
          since: now,
          lastLookupAt: 0,
          dialBy: 0, // never dial a taken-over attempt
        }),
      );
      for (const h of helds) w.held.set(h.callId, h);
      await inChunks(helds, 20, (h) => this.reconcile(h));
    }
  }
}
