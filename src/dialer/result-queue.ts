import { inSpan } from '../tracing.ts';
import { delay } from './async-utils.ts';
import type { CallResult } from './provider.ts';
import { applyCallResults } from './sql/apply-call-results.ts';
import type { WorkerContext } from './worker-context.ts';

/**
 * Final results waiting to be applied, per campaign: gathered for a batch window and applied up
 * to 200 per transaction (one lock, one billing), so a fast stream of results does not spend the
 * database on transaction overhead.
 */
export class ResultQueue {
  private readonly pending = new Map<string, Map<string, CallResult>>(); // campaignId → attemptId → result
  private readonly drains = new Set<string>();

  constructor(private readonly w: WorkerContext) {}

  /** A result of a campaign call, from the provider's stream (ours or not). */
  accept(result: CallResult & { callId: string }): void {
    const held = this.w.held.get(result.callId);
    if (held) {
      this.enqueue(held.campaignId, result);
      return;
    }
    // Not ours (a repeated delivery, or a lease we lost): apply anyway, idempotently.
    this.w.track(
      this.w.app.db.prisma.call
        .findUnique({ where: { id: result.callId }, select: { campaignId: true } })
        .then((call) => call && this.enqueue(call.campaignId, result)),
    );
  }

  enqueue(campaignId: string, result: CallResult): void {
    let queue = this.pending.get(campaignId);
    if (!queue) this.pending.set(campaignId, (queue = new Map()));
    queue.set(result.attemptId, result);
    if (!this.drains.has(campaignId)) this.w.track(this.drain(campaignId));
  }

  private batchWindow(): Promise<void> {
    return this.w.isRunning() ? delay(this.w.opts.batchWindowMs) : Promise.resolve();
  }

  private async drain(campaignId: string): Promise<void> {
    const { w } = this;
    this.drains.add(campaignId);
    try {
      await this.batchWindow(); // gather the results arriving right behind this one
      for (;;) {
        const queue = this.pending.get(campaignId);
        if (!queue || queue.size === 0 || w.isDead()) break;
        const batch = [...queue.values()].slice(0, 200);
        for (const r of batch) queue.delete(r.attemptId);
        try {
          const outcome = await inSpan('callboard.apply_results', { 'callboard.campaign.id': campaignId, 'callboard.results': batch.length }, () =>
            applyCallResults(w.app, campaignId, batch),
          );
          for (const applied of outcome.applied) w.app.metrics.callsFinished.inc({ outcome: applied });
          for (const r of batch) {
            if (r.outcome === 'TECHNICAL_ERROR') await w.health.failed(campaignId);
            else w.health.succeeded(campaignId);
          }
          const settled = new Set(outcome.settled);
          for (const r of batch) {
            const held = w.held.get(r.callId!);
            if (held && held.attemptId === r.attemptId && settled.has(r.attemptId)) w.held.delete(r.callId!);
          }
          if (outcome.completed) w.log.info({ campaignId }, 'campaign completed');
          if (outcome.outOfMinutesOrg) w.pauseOrg(outcome.outOfMinutesOrg);
        } catch (error) {
          // The calls stay held; the worker looks them up again after resultTimeoutMs.
          if (!w.isDead()) w.log.error({ err: error, campaignId }, 'applying call results failed');
        }
        w.wake(); // slots are free again
      }
    } finally {
      this.drains.delete(campaignId);
      if (this.pending.get(campaignId)?.size === 0) this.pending.delete(campaignId);
    }
    // A result that arrived between the last batch and the finally above.
    if (!w.isDead() && this.pending.get(campaignId)?.size) w.track(this.drain(campaignId));
  }
}
