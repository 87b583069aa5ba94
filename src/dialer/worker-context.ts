import type { App } from '../app.ts';
import type { Logger } from '../logger.ts';
import type { ProviderHealth } from './provider-health.ts';
import type { CallResult, TelephonyProvider } from './provider.ts';
import type { WORKER_DEFAULTS } from './worker-options.ts';

/** A call this worker holds a lease on, and where it stands with the provider. */
export type Held = {
  callId: string;
  campaignId: string;
  attemptId: string | null;
  providerCallId: string | null;
  /** dialing: dial() in flight; dialed: accepted, result expected; unsure: taken over or dial
   * failed — the provider decides; adopted: the provider has it in progress, we poll. */
  state: 'dialing' | 'dialed' | 'unsure' | 'adopted';
  since: number;
  lastLookupAt: number;
  /** Local time before which a dial may start (lease expiry, measured from before the claim). */
  dialBy: number;
  dialError?: string;
};

/** What the worker's parts (held calls, results, test calls) share: one per worker. */
export interface WorkerContext {
  readonly app: App;
  readonly id: string;
  readonly opts: typeof WORKER_DEFAULTS;
  readonly provider: TelephonyProvider;
  readonly log: Logger;
  /** Consecutive provider failures per campaign (pauses a campaign whose provider keeps failing). */
  readonly health: ProviderHealth;
  /** Calls this worker holds, by call id. */
  readonly held: Map<string, Held>;
  /** Provider ids of accepted dials not written yet (flushed in one statement per tick), by attempt id. */
  readonly accepted: Map<string, string>;
  /** Killed (abandon): stop touching anything at once. */
  isDead(): boolean;
  /** Claiming and recovering new work (not draining or halted). */
  isRunning(): boolean;
  wake(): void;
  /** Runs a background task whose failure is logged and which stop() waits for. */
  track(promise: Promise<unknown>): void;
  /** Queues a final result of a campaign call to be applied. */
  enqueue(campaignId: string, result: CallResult): void;
  /** An organisation ran out of minutes: pause its running campaigns. */
  pauseOrg(organizationId: string): void;
}
