import { pauseFor } from './system-pauses.ts';
import type { App } from '../app.ts';
import type { Logger } from '../logger.ts';
import type { WORKER_DEFAULTS } from './worker-options.ts';

/**
 * Consecutive provider failures per campaign: dials the provider refused, and calls it reported
 * as TECHNICAL_ERROR. At maxDialFailures in a row the campaign pauses with SYSTEM_FAILURE, so a
 * broken provider account stops a campaign instead of running every contact into FAILED; any
 * call whose result is not a technical error resets the count (an accepted dial alone does not:
 * a provider that accepts every dial and then fails it is failing).
 */
export class ProviderHealth {
  private readonly failures = new Map<string, number>();

  constructor(private readonly w: { app: App; opts: typeof WORKER_DEFAULTS; log: Logger }) {}

  succeeded(campaignId: string): void {
    this.failures.delete(campaignId);
  }

  async failed(campaignId: string): Promise<void> {
    const n = (this.failures.get(campaignId) ?? 0) + 1;
    this.failures.set(campaignId, n);
    if (n < this.w.opts.maxDialFailures) return;
    this.failures.delete(campaignId);
    if (await pauseFor(this.w.app, campaignId, 'SYSTEM_FAILURE')) {
      this.w.log.error({ campaignId, failures: n }, 'the telephony provider keeps failing: campaign paused (SYSTEM_FAILURE)');
    }
  }
}
