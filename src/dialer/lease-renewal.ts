import { groupBy } from './async-utils.ts';
import { renewLeases } from './sql/renew-leases.ts';
import type { WorkerContext } from './worker-context.ts';

/**
 * Keeps the worker's leases alive: every renewal extends the leases of all held calls, one
 * statement per campaign, and forgets the calls whose lease was lost (finished meanwhile, or
 * taken over by another worker because this one was too slow). One renewal at a time.
 */
export class LeaseRenewal {
  private running: Promise<void> | null = null;

  constructor(private readonly w: WorkerContext) {}

  /** The renewal in progress, if any, to wait for before releasing leases. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  renew(): Promise<void> {
    const { w } = this;
    if (w.isDead() || this.running) return this.running ?? Promise.resolve();
    this.running = (async () => {
      try {
        for (const [campaignId, helds] of groupBy([...w.held.values()], (h) => h.campaignId)) {
          if (w.isDead()) return;
          const callIds = helds.map((h) => h.callId);
          const kept = new Set(await renewLeases(w.app, campaignId, callIds, w.id, w.opts.leaseMs));
          w.app.metrics.leaseRenewals.inc(kept.size);
          for (const h of helds) {
            // Lost: finished meanwhile, or another worker took it over (we were too slow).
            if (!kept.has(h.callId) && w.held.get(h.callId) === h && h.state !== 'dialing') w.held.delete(h.callId);
          }
        }
      } catch (error) {
        if (!w.isDead()) w.log.error({ err: error }, 'lease renewal failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
