/**
 * The dialer worker: claims due calls, dials them through the provider, applies results, and
 * keeps its claims alive with leases. Any number of workers may run (in the API process with
 * `npm start`, or as `callboard worker` processes); PostgreSQL is the only coordination.
 *
 * Crash safety rests on three rules:
 *  1. The attempt row is committed (sql/claim-due-calls.ts) before the dial, so every dial has a record.
 *  2. Each claimed call carries a lease (owner + expiry) that its worker renews. A worker that dies
 *     stops renewing; once the lease has expired any worker takes the call over and asks the
 *     provider what became of its attempt (lookupByAttempt): 'unknown' ⇒ never dialed ⇒ the
 *     attempt is marked NOT_DIALED and the call goes back to the queue; 'in-progress' ⇒ adopted,
 *     polled until it ends; 'finished' ⇒ the result is applied. Nothing is ever redialed blindly.
 *  3. Results are applied idempotently (sql/apply-call-results.ts), so a result delivered twice, or
 *     applied by two processes, counts once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { App } from '../app.ts';
import type { Logger } from '../logger.ts';
import { delay, groupBy, settle } from './async-utils.ts';
import { HeldCalls } from './held-calls.ts';
import { inSpan } from '../tracing.ts';
import { LeaseRenewal } from './lease-renewal.ts';
import { ProviderHealth } from './provider-health.ts';
import type { CallResult, TelephonyProvider } from './provider.ts';
import { createProvider } from './providers/index.ts';
import { ResultQueue } from './result-queue.ts';
import { listClaimableCampaigns } from './sql/claimable-campaigns.ts';
import { claimDueCalls } from './sql/claim-due-calls.ts';
import { markAccepted } from './sql/mark-accepted.ts';
import { releaseLeases } from './sql/release-leases.ts';
import { pauseOutOfMinutes } from './system-pauses.ts';
import { TestCallRunner } from './test-call-runner.ts';
import type { Held, WorkerContext } from './worker-context.ts';
import { WORKER_DEFAULTS, type RunningWorker, type WorkerOptions } from './worker-options.ts';

export type { RunningWorker, WorkerOptions } from './worker-options.ts';

export async function startWorker(app: App, options: WorkerOptions = {}): Promise<RunningWorker> {
  const worker = new DialerWorker(app, options);
  worker.start();
  return worker;
}

class DialerWorker implements RunningWorker, WorkerContext {
  readonly id: string;
  readonly opts: typeof WORKER_DEFAULTS;
  readonly provider: TelephonyProvider;
  readonly log: Logger;
  readonly held = new Map<string, Held>();
  readonly accepted = new Map<string, string>();
  readonly health: ProviderHealth;
  private readonly ownsProvider: boolean;
  private readonly calls = new HeldCalls(this);
  private readonly results = new ResultQueue(this);
  private readonly tests = new TestCallRunner(this);
  private readonly leases = new LeaseRenewal(this);
  private mode: 'running' | 'draining' | 'halted' = 'running';
  private dead = false;
  private readonly tracked = new Set<Promise<unknown>>();
  private unsubscribe: () => void = () => {};
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private lastScan = 0;
  private lastTestPickup = 0;
  private renewTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly app: App,
    options: WorkerOptions,
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...WORKER_DEFAULTS, ...(defined as Partial<typeof WORKER_DEFAULTS>) };
    this.id = options.workerId ?? app.config.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.log = app.logger.child({ workerId: this.id });
    this.ownsProvider = !options.provider;
    this.provider = options.provider ?? createProvider(app, this.log);
    this.health = new ProviderHealth(this);
  }

  get heldCalls(): number {
    return this.held.size;
  }

  isDead(): boolean {
    return this.dead;
  }

  isRunning(): boolean {
    return this.mode === 'running';
  }

  enqueue(campaignId: string, result: CallResult): void {
    this.results.enqueue(campaignId, result);
  }

  start(): void {
    const unsubscribe = this.provider.onResult((result) => this.onResult(result));
    const untrack = this.app.metrics.trackInFlight(() => this.held.size);
    this.unsubscribe = () => {
      unsubscribe();
      untrack();
    };
    this.renewTimer = setInterval(() => void this.leases.renew(), this.opts.renewIntervalMs);
    this.loopDone = this.loop();
    this.log.info({ provider: this.provider.name, leaseMs: this.opts.leaseMs }, 'dialer worker started');
  }

  wake(): void {
    this.wakeRequested = true;
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
      this.sleeping = null;
    }
  }

  // ---- the loop --------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.halted()) {
      this.wakeRequested = false;
      // Scans for expired leases, stale test calls and overdue results run at their own
      // interval: a fast stream of wake-ups (results freeing slots) only claims.
      const scan = Date.now() - this.lastScan >= this.opts.recoveryIntervalMs;
      try {
        await this.tick(scan);
      } catch (error) {
        if (!this.dead) this.log.error({ err: error }, 'dialer tick failed');
      }
      if (this.halted()) break;
      if (!this.wakeRequested) await this.sleep(this.opts.pollIntervalMs);
      // Woken: let more slots free up so that one claim transaction refills them together.
      if (this.wakeRequested && !this.halted()) await delay(this.opts.batchWindowMs);
    }
  }

  /** A method, not a field read: the mode changes while the loop awaits. */
  private halted(): boolean {
    return this.mode === 'halted';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeping = {
        timer: setTimeout(() => {
          this.sleeping = null;
          resolve();
        }, ms),
        resolve,
      };
    });
  }

  private async tick(scan: boolean): Promise<void> {
    if (scan) this.lastScan = Date.now();
    await this.flushAccepted();
    if (this.mode === 'running') {
      if (scan) {
        await this.calls.recoverExpired();
        await this.tests.recoverStale();
      }
      if (Date.now() - this.lastTestPickup >= this.opts.pollIntervalMs) {
        this.lastTestPickup = Date.now();
        await this.tests.pickUp();
      }
      await this.claim();
    }
    await this.calls.reconcileDue();
  }

  /** Writes the provider ids of dials accepted since the last tick, in one statement. */
  private async flushAccepted(): Promise<void> {
    if (this.accepted.size === 0 || this.dead) return;
    const batch = [...this.accepted].map(([attemptId, providerCallId]) => ({ attemptId, providerCallId }));
    this.accepted.clear();
    await markAccepted(this.app, batch).catch((error) => this.log.warn({ err: error }, 'could not record provider call ids'));
  }

  // ---- claiming and dialing --------------------------------------------------------------------

  private room(): number {
    return this.opts.capacity - this.held.size;
  }

  private async claim(): Promise<void> {
    if (this.room() <= 0) return;
    const campaigns = await listClaimableCampaigns(this.app, 50);
    for (const campaignId of campaigns) {
      if (this.mode !== 'running' || this.dead || this.room() <= 0) return;
      const startedAt = Date.now();
      const result = await inSpan('callboard.claim', { 'callboard.campaign.id': campaignId }, async (span) => {
        const claimed = await claimDueCalls(this.app, campaignId, { workerId: this.id, leaseMs: this.opts.leaseMs, limit: this.room() });
        span.setAttribute('callboard.calls.claimed', claimed.claimed.length);
        return claimed;
      });
      this.app.metrics.claimSeconds.observe((Date.now() - startedAt) / 1000);
      this.app.metrics.callsClaimed.inc(result.claimed.length);
      if (this.dead) return; // "killed" right after the commit: these attempts were never dialed
      if (result.outOfMinutesOrg) this.pauseOrg(result.outOfMinutesOrg);
      if (result.completed) this.log.info({ campaignId }, 'campaign completed');
      for (const call of result.claimed) {
        const held: Held = {
          callId: call.callId,
          campaignId,
          attemptId: call.attemptId,
          providerCallId: null,
          state: 'dialing',
          since: startedAt,
          lastLookupAt: 0,
          dialBy: startedAt + this.opts.leaseMs,
        };
        this.held.set(call.callId, held);
        this.track(this.calls.dial(held, { attemptId: call.attemptId, callId: call.callId, to: call.to, agent: result.agent, variables: call.variables }));
      }
    }
  }

  // ---- results -------------------------------------------------------------------------------

  private onResult(result: CallResult): void {
    if (this.dead) return;
    if (result.callId === null) this.track(this.tests.finish(result));
    else this.results.accept({ ...result, callId: result.callId });
  }

  pauseOrg(organizationId: string): void {
    this.track(this.pauseOutOfMinutes(organizationId));
  }

  private async pauseOutOfMinutes(organizationId: string): Promise<void> {
    const paused = await pauseOutOfMinutes(this.app, organizationId);
    if (paused.length) this.log.warn({ organizationId, campaigns: paused.length }, 'out of minutes: running campaigns paused');
  }

  // ---- shutdown ------------------------------------------------------------------------------

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.dead) return;
    this.mode = 'draining';
    this.wake();
    const deadline = Date.now() + this.opts.stopTimeoutMs;
    // Results keep arriving and being applied; lookups keep polling adopted calls.
    // (The loop keeps reconciling adopted calls meanwhile; see tick.)
    while ((this.held.size > 0 || this.tests.size > 0) && Date.now() < deadline) {
      await delay(Math.min(25, Math.max(1, deadline - Date.now())));
    }
    this.mode = 'halted';
    this.wake();
    await this.loopDone;
    this.unsubscribe();
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.leases.idle();
    await settle(this.tracked, Math.max(0, deadline - Date.now()) + 1000);
    // What is left is given up at once (not left to expire): another worker reconciles it now.
    // Calls whose dial is still in flight are not released — their lease runs out instead.
    const left = [...this.held.values()].filter((h) => h.state !== 'dialing');
    for (const [campaignId, helds] of groupBy(left, (h) => h.campaignId)) {
      await releaseLeases(
        this.app,
        campaignId,
        helds.map((h) => h.callId),
        this.id,
      ).catch((error) => this.log.error({ err: error, campaignId }, 'could not release leases; they will expire'));
    }
    if (left.length) this.log.warn({ calls: left.length }, 'stopped with calls still in progress; leases released');
    this.held.clear();
    if (this.ownsProvider) await this.provider.close();
    this.log.info('dialer worker stopped');
  }

  async abandon(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    this.mode = 'halted';
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.unsubscribe();
    this.wake();
    if (this.ownsProvider) await this.provider.close();
    await this.loopDone;
  }

  track(promise: Promise<unknown>): void {
    const p = promise.catch((error) => {
      if (!this.dead) this.log.error({ err: error }, 'dialer task failed');
    });
    this.tracked.add(p);
    void p.finally(() => this.tracked.delete(p));
  }
}
