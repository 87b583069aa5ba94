/**
 * The dialer worker: claims due calls, dials them through the provider, applies results, and
 * keeps its claims alive with leases. Any number of workers may run (in the API process with
 * `npm start`, or as `callboard worker` processes); PostgreSQL is the only coordination.
 *
 * Crash safety rests on three rules:
 *  1. The attempt row is committed (claim.ts) before the dial, so every dial has a record.
 *  2. Each claimed call carries a lease (owner + expiry) that its worker renews. A worker that dies
 *     stops renewing; once the lease has expired any worker takes the call over and asks the
 *     provider what became of its attempt (lookupByAttempt): 'unknown' ⇒ never dialed ⇒ the
 *     attempt is marked NOT_DIALED and the call goes back to the queue; 'in-progress' ⇒ adopted,
 *     polled until it ends; 'finished' ⇒ the result is applied. Nothing is ever redialed blindly.
 *  3. Results are applied idempotently (call-transitions.ts), so a result delivered twice, or
 *     applied by two processes, counts once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { App } from '../app.ts';
import type { Logger } from '../logger.ts';
import { NOT_DIALED_MESSAGE, applyCallResults, findExpiredLeases, markAccepted, pauseFor, pauseOutOfMinutes, releaseLeases, renewLeases, revertUndialed, takeExpiredLeases } from '../services/call-transitions.ts';
import { applyTestCallResult, cancelUndialedTestCall, findStaleTestCalls } from '../services/call-test.ts';
import { claimDueCalls, claimTestCalls, listClaimableCampaigns } from './claim.ts';
import type { CallResult, DialRequest, TelephonyProvider } from './provider.ts';
import { createProvider } from './providers/index.ts';

export interface WorkerOptions {
  /** Written into lease_owner; defaults to CALLBOARD_WORKER_ID, else host:pid:random. */
  workerId?: string;
  /** Defaults to the provider of the configuration (the simulator); closed by stop() only if
   * the worker created it. */
  provider?: TelephonyProvider;
  /** How often to look for due calls and test calls when nothing wakes the worker (a result
   * freeing a slot wakes it at once). */
  pollIntervalMs?: number;
  /** How often to scan for expired leases and stale test calls: 5 s, a sixth of the lease. */
  recoveryIntervalMs?: number;
  /**
   * 20 ms: results and freed slots are gathered this long before one transaction applies or
   * refills them all. At high simulator speeds results arrive every millisecond; one
   * transaction per result would spend the database on transaction overhead.
   */
  batchWindowMs?: number;
  /**
   * 30 s: how long a claimed call stays reserved without its worker renewing it — three renewals
   * (every 10 s) can fail before another worker takes over, and a dead worker's calls are picked
   * up within half a minute.
   */
  leaseMs?: number;
  /** 10 s: a third of the lease, so two missed renewals still leave the lease valid. */
  renewIntervalMs?: number;
  /** Graceful stop: how long to let calls in progress finish before releasing their leases. */
  stopTimeoutMs?: number;
  /** Calls this worker holds at most (its share of the work when several run). */
  capacity?: number;
  /** A dialed call whose result has not arrived after this long is looked up at the provider
   * (results are delivered at most once). 60 s: longer than most calls at real speed. */
  resultTimeoutMs?: number;
  /** Consecutive dial failures of one campaign before it pauses with SYSTEM_FAILURE. */
  maxDialFailures?: number;
  /** How long a call whose dial the provider refused waits before its next try. */
  dialFailureBackoffMs?: number;
}

export interface RunningWorker {
  readonly id: string;
  /** Calls this worker currently holds a lease on. */
  readonly heldCalls: number;
  /** Looks for work now instead of at the next poll. */
  wake(): void;
  /** Graceful: stop claiming, let calls in progress finish (up to stopTimeoutMs), release the rest. */
  stop(): Promise<void>;
  /**
   * What `kill -9` does to a worker, for in-process tests: everything stops where it is — no
   * renewals, no results, no cleanup; its leases stay in the database until they expire and
   * another worker recovers its calls. The database connection is left to its owner.
   */
  abandon(): Promise<void>;
}

type Held = {
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

type HeldTest = { attemptId: string; dialing: boolean };

const DEFAULTS = {
  pollIntervalMs: 1000,
  recoveryIntervalMs: 5000,
  batchWindowMs: 20,
  leaseMs: 30_000,
  renewIntervalMs: 10_000,
  stopTimeoutMs: 20_000,
  capacity: 500,
  resultTimeoutMs: 60_000,
  maxDialFailures: 5,
  dialFailureBackoffMs: 60_000,
};

export async function startWorker(app: App, options: WorkerOptions = {}): Promise<RunningWorker> {
  const worker = new DialerWorker(app, options);
  worker.start();
  return worker;
}

class DialerWorker implements RunningWorker {
  readonly id: string;
  private readonly opts: typeof DEFAULTS;
  private readonly provider: TelephonyProvider;
  private readonly ownsProvider: boolean;
  private readonly log: Logger;
  private mode: 'running' | 'draining' | 'halted' = 'running';
  private dead = false;
  private readonly held = new Map<string, Held>(); // by callId
  private readonly tests = new Map<string, HeldTest>(); // by attemptId
  private readonly testLookups = new Map<string, number>();
  private readonly pending = new Map<string, Map<string, CallResult>>(); // campaignId → attemptId → result
  private readonly drains = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly tracked = new Set<Promise<unknown>>();
  private unsubscribe: () => void = () => {};
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private lastScan = 0;
  private lastTestPickup = 0;
  /** Provider ids of accepted dials not written yet (flushed in one statement per tick). */
  private readonly accepted = new Map<string, string>();
  private renewTimer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly app: App,
    options: WorkerOptions,
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...DEFAULTS, ...(defined as Partial<typeof DEFAULTS>) };
    this.id = options.workerId ?? app.config.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.log = app.logger.child({ workerId: this.id });
    this.ownsProvider = !options.provider;
    this.provider = options.provider ?? createProvider(app.config, this.log);
  }

  get heldCalls(): number {
    return this.held.size;
  }

  start(): void {
    this.unsubscribe = this.provider.onResult((result) => this.onResult(result));
    this.renewTimer = setInterval(() => void this.renew(), this.opts.renewIntervalMs);
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
      this.sleeping = { timer: setTimeout(() => ((this.sleeping = null), resolve()), ms), resolve };
    });
  }

  private async tick(scan: boolean): Promise<void> {
    if (scan) this.lastScan = Date.now();
    await this.flushAccepted();
    if (this.mode === 'running') {
      if (scan) {
        await this.recoverExpired();
        await this.recoverStaleTestCalls();
      }
      if (Date.now() - this.lastTestPickup >= this.opts.pollIntervalMs) {
        this.lastTestPickup = Date.now();
        await this.pickUpTestCalls();
      }
      await this.claim();
    }
    await this.reconcileHeld();
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
      const result = await claimDueCalls(this.app, campaignId, { workerId: this.id, leaseMs: this.opts.leaseMs, limit: this.room() });
      if (this.dead) return; // "killed" right after the commit: these attempts were never dialed
      if (result.outOfMinutesOrg) this.track(this.pauseOrg(result.outOfMinutesOrg));
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
        this.track(this.dial(held, { attemptId: call.attemptId, callId: call.callId, to: call.to, agent: result.agent, variables: call.variables }));
      }
    }
  }

  private async dial(held: Held, request: DialRequest): Promise<void> {
    // Dial only while the lease surely holds (a third of it to spare): past that, another worker
    // may have found the attempt 'unknown' at the provider and put the call back in the queue.
    if (this.dead) return;
    if (Date.now() > held.dialBy - this.opts.leaseMs / 3) {
      held.state = 'unsure';
      return;
    }
    let providerCallId: string;
    try {
      ({ providerCallId } = await this.provider.dial(request));
    } catch (error) {
      if (this.dead) return;
      held.state = 'unsure';
      held.dialError = error instanceof Error ? error.message : String(error);
      this.log.warn({ callId: held.callId, err: error }, 'dial failed; asking the provider whether it happened');
      await this.reconcile(held);
      return;
    }
    if (this.dead) return;
    this.failures.delete(held.campaignId);
    held.providerCallId = providerCallId;
    if (held.state === 'dialing') held.state = 'dialed';
    held.since = Date.now();
    this.accepted.set(request.attemptId, providerCallId);
  }

  /** Asks the provider what became of a held call's attempt and acts on the answer. */
  private async reconcile(held: Held): Promise<void> {
    held.lastLookupAt = Date.now();
    if (!held.attemptId) return this.putBack(held);
    let found;
    try {
      found = await this.provider.lookupByAttempt(held.attemptId);
    } catch (error) {
      this.log.warn({ err: error, callId: held.callId }, 'provider lookup failed; will ask again');
      return;
    }
    if (this.dead || this.held.get(held.callId) !== held) return;
    if (found.state === 'finished') {
      this.enqueue(held.campaignId, found.result);
    } else if (found.state === 'in-progress') {
      if (held.state === 'unsure') held.state = 'adopted';
      if (!held.providerCallId) {
        held.providerCallId = found.providerCallId;
        this.accepted.set(held.attemptId, found.providerCallId);
      }
    } else {
      await this.putBack(held);
    }
  }

  /** The provider never accepted this attempt: the call goes back to the queue (see revertUndialed). */
  private async putBack(held: Held): Promise<void> {
    const failedDial = held.dialError !== undefined;
    try {
      await revertUndialed(this.app, held.campaignId, [{ callId: held.callId, attemptId: held.attemptId }], {
        workerId: this.id,
        retryAt: failedDial ? new Date(Date.now() + this.opts.dialFailureBackoffMs) : null,
        waitReason: failedDial ? `the telephony provider did not accept the call (${held.dialError}); it will be tried again` : null,
        errorMessage: failedDial ? `not dialed: the telephony provider refused it (${held.dialError})` : NOT_DIALED_MESSAGE,
      });
    } catch (error) {
      this.log.error({ err: error, callId: held.callId }, 'could not put an undialed call back; its lease will expire');
      return;
    }
    if (this.held.get(held.callId) === held) this.held.delete(held.callId);
    if (failedDial) await this.countDialFailure(held.campaignId);
    this.wake();
  }

  private async countDialFailure(campaignId: string): Promise<void> {
    const n = (this.failures.get(campaignId) ?? 0) + 1;
    this.failures.set(campaignId, n);
    if (n < this.opts.maxDialFailures) return;
    this.failures.delete(campaignId);
    if (await pauseFor(this.app, campaignId, 'SYSTEM_FAILURE')) {
      this.log.error({ campaignId, failures: n }, 'the telephony provider keeps failing: campaign paused (SYSTEM_FAILURE)');
    }
  }

  /** Held calls that need the provider's word: taken over, failed dials, or results overdue. */
  private async reconcileHeld(): Promise<void> {
    const now = Date.now();
    const due = [...this.held.values()].filter((h) => {
      if (h.state === 'dialing') return false;
      const every = h.state === 'dialed' ? this.opts.resultTimeoutMs : this.opts.pollIntervalMs;
      return now - Math.max(h.since, h.lastLookupAt) >= every;
    });
    await inChunks(due, 20, (h) => this.reconcile(h));
  }

  // ---- recovery ------------------------------------------------------------------------------

  /** Takes over calls whose lease expired (their worker died or gave up) and reconciles them. */
  private async recoverExpired(): Promise<void> {
    const expired = await findExpiredLeases(this.app, 100);
    const byCampaign = groupBy(expired, (r) => r.campaign_id);
    for (const [campaignId, rows] of byCampaign) {
      if (this.dead || this.mode !== 'running') return;
      const taken = await takeExpiredLeases(this.app, campaignId, rows.map((r) => r.id), this.id, this.opts.leaseMs);
      if (taken.length === 0) continue;
      this.log.info({ campaignId, calls: taken.length }, 'took over calls with expired leases; reconciling with the provider');
      const now = Date.now();
      const helds = taken.map((t): Held => ({
        callId: t.callId,
        campaignId,
        attemptId: t.attemptId,
        providerCallId: t.providerCallId,
        state: 'unsure',
        since: now,
        lastLookupAt: 0,
        dialBy: 0, // never dial a taken-over attempt
      }));
      for (const h of helds) this.held.set(h.callId, h);
      await inChunks(helds, 20, (h) => this.reconcile(h));
    }
  }

  // ---- results -------------------------------------------------------------------------------

  private onResult(result: CallResult): void {
    if (this.dead) return;
    if (result.callId === null) {
      this.track(this.finishTest(result));
      return;
    }
    const held = this.held.get(result.callId);
    if (held) return this.enqueue(held.campaignId, result);
    // Not ours (a repeated delivery, or a lease we lost): apply anyway, idempotently.
    this.track(
      this.app.db.prisma.call
        .findUnique({ where: { id: result.callId }, select: { campaignId: true } })
        .then((call) => call && this.enqueue(call.campaignId, result)),
    );
  }

  private enqueue(campaignId: string, result: CallResult): void {
    let queue = this.pending.get(campaignId);
    if (!queue) this.pending.set(campaignId, (queue = new Map()));
    queue.set(result.attemptId, result);
    if (!this.drains.has(campaignId)) this.track(this.drain(campaignId));
  }

  private batchWindow(): Promise<void> {
    return this.mode === 'running' ? delay(this.opts.batchWindowMs) : Promise.resolve();
  }

  /** Applies queued results of one campaign, up to 200 per transaction (one lock, one billing). */
  private async drain(campaignId: string): Promise<void> {
    this.drains.add(campaignId);
    try {
      await this.batchWindow(); // gather the results arriving right behind this one
      for (;;) {
        const queue = this.pending.get(campaignId);
        if (!queue || queue.size === 0 || this.dead) break;
        const batch = [...queue.values()].slice(0, 200);
        for (const r of batch) queue.delete(r.attemptId);
        try {
          const outcome = await applyCallResults(this.app, campaignId, batch);
          const settled = new Set(outcome.settled);
          for (const r of batch) {
            const held = this.held.get(r.callId!);
            if (held && held.attemptId === r.attemptId && settled.has(r.attemptId)) this.held.delete(r.callId!);
          }
          if (outcome.completed) this.log.info({ campaignId }, 'campaign completed');
          if (outcome.outOfMinutesOrg) this.track(this.pauseOrg(outcome.outOfMinutesOrg));
        } catch (error) {
          // The calls stay held; reconcileHeld looks them up again after resultTimeoutMs.
          if (!this.dead) this.log.error({ err: error, campaignId }, 'applying call results failed');
        }
        this.wake(); // slots are free again
      }
    } finally {
      this.drains.delete(campaignId);
      if (this.pending.get(campaignId)?.size === 0) this.pending.delete(campaignId);
    }
    // A result that arrived between the last batch and the finally above.
    if (!this.dead && this.pending.get(campaignId)?.size) this.track(this.drain(campaignId));
  }

  private async pauseOrg(organizationId: string): Promise<void> {
    const paused = await pauseOutOfMinutes(this.app, organizationId);
    if (paused.length) this.log.warn({ organizationId, campaigns: paused.length }, 'out of minutes: running campaigns paused');
  }

  // ---- test calls ----------------------------------------------------------------------------

  private async pickUpTestCalls(): Promise<void> {
    if (this.tests.size >= 20) return;
    const rows = await claimTestCalls(this.app, 5);
    for (const row of rows) {
      if (this.dead) return;
      const test: HeldTest = { attemptId: row.attemptId, dialing: true };
      this.tests.set(row.attemptId, test);
      this.track(this.dialTest(test, { attemptId: row.attemptId, callId: null, to: row.to, agent: row.agent, variables: {} }));
    }
  }

  private async dialTest(test: HeldTest, request: DialRequest): Promise<void> {
    try {
      const { providerCallId } = await this.provider.dial(request);
      if (this.dead) return;
      test.dialing = false;
      this.accepted.set(test.attemptId, providerCallId);
    } catch (error) {
      if (this.dead) return;
      test.dialing = false;
      this.log.warn({ err: error, attemptId: test.attemptId }, 'test call dial failed');
      await this.lookupTest(test.attemptId, `not dialed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async finishTest(result: CallResult): Promise<void> {
    try {
      await applyTestCallResult(this.app, result);
      this.tests.delete(result.attemptId);
    } catch (error) {
      if (!this.dead) this.log.error({ err: error, attemptId: result.attemptId }, 'applying a test call result failed');
    }
  }

  /** Open test calls taken more than a lease ago (by anyone): their worker may be gone. */
  private async recoverStaleTestCalls(): Promise<void> {
    const stale = await findStaleTestCalls(this.app, this.opts.leaseMs);
    const now = Date.now();
    for (const row of stale) {
      if (this.dead) return;
      if (this.tests.get(row.id)?.dialing) continue;
      if (now - (this.testLookups.get(row.id) ?? 0) < this.opts.pollIntervalMs * 5) continue;
      this.testLookups.set(row.id, now);
      await this.lookupTest(row.id, NOT_DIALED_MESSAGE);
    }
    if (this.testLookups.size > 1000) this.testLookups.clear();
  }

  private async lookupTest(attemptId: string, notDialedMessage: string): Promise<void> {
    const found = await this.provider.lookupByAttempt(attemptId).catch(() => null);
    if (!found || this.dead) return;
    if (found.state === 'finished') await this.finishTest(found.result);
    else if (found.state === 'unknown') {
      await cancelUndialedTestCall(this.app, attemptId, notDialedMessage);
      this.tests.delete(attemptId);
    }
  }

  // ---- leases --------------------------------------------------------------------------------

  private renew(): Promise<void> {
    if (this.dead || this.renewing) return this.renewing ?? Promise.resolve();
    this.renewing = (async () => {
      try {
        for (const [campaignId, helds] of groupBy([...this.held.values()], (h) => h.campaignId)) {
          if (this.dead) return;
          const kept = new Set(await renewLeases(this.app, campaignId, helds.map((h) => h.callId), this.id, this.opts.leaseMs));
          for (const h of helds) {
            // Lost: finished meanwhile, or another worker took it over (we were too slow).
            if (!kept.has(h.callId) && this.held.get(h.callId) === h && h.state !== 'dialing') this.held.delete(h.callId);
          }
        }
      } catch (error) {
        if (!this.dead) this.log.error({ err: error }, 'lease renewal failed');
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
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
    await this.renewing;
    await settle(this.tracked, Math.max(0, deadline - Date.now()) + 1000);
    // What is left is given up at once (not left to expire): another worker reconciles it now.
    // Calls whose dial is still in flight are not released — their lease runs out instead.
    const left = [...this.held.values()].filter((h) => h.state !== 'dialing');
    for (const [campaignId, helds] of groupBy(left, (h) => h.campaignId)) {
      await releaseLeases(this.app, campaignId, helds.map((h) => h.callId), this.id).catch((error) =>
        this.log.error({ err: error, campaignId }, 'could not release leases; they will expire'),
      );
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

  private track<T>(promise: Promise<T>): void {
    const p = promise.catch((error) => {
      if (!this.dead) this.log.error({ err: error }, 'dialer task failed');
    });
    this.tracked.add(p);
    void p.finally(() => this.tracked.delete(p));
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Waits for the promises in `set` (including ones added meanwhile), at most `ms`. */
async function settle(set: Set<Promise<unknown>>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (set.size > 0 && Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...set]), new Promise((r) => (timer = setTimeout(r, Math.max(1, deadline - Date.now()))))]);
    clearTimeout(timer);
  }
}
