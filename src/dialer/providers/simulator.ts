/**
 * The built-in simulated telephony provider: the default for `npm start`, tests and benchmarks.
 *
 * Deterministic: every call's fate is drawn from a PRNG seeded by (seed, attemptId) alone, so the
 * same seed and the same attempt ids give the same outcomes, timings and transcripts whatever order
 * or process they are dialed in. Time is compressed by `speed` (1000 ⇒ a 60 s call takes 60 ms);
 * reported timestamps are real wall-clock instants, `durationSeconds` is simulated talk time.
 *
 * Forcing outcomes (for tests and demos), first match wins:
 *   1. `forceOutcomes: { '+12025550123': 'BUSY' }` — by exact E.164 number;
 *   2. unless `magicNumbers: false`, numbers whose last four digits are 99NN with NN in 01..12
 *      get ATTEMPT_OUTCOMES[NN-1]: …9901 ANSWERED, 9902 MEETING_BOOKED, 9903 CALLBACK_REQUESTED,
 *      9904 TRANSFERRED, 9905 USER_HUNG_UP, 9906 LEFT_MESSAGE, 9907 NO_MESSAGE, 9908 NO_ANSWER,
 *      9909 BUSY, 9910 ISSUE_DIALING, 9911 TECHNICAL_ERROR, 9912 INVALID_NUMBER (see MAGIC_SUFFIXES).
 *      These pass libphonenumber validation (e.g. +1 202 555 9909), so they survive contact import.
 *
 * Crash recovery: with `ledgerPath`, each accepted dial appends one JSON line and fsyncs it before
 * `dial` resolves — before the call "rings". Any instance reading the same file (a restarted
 * process) answers lookups for dials it never made: in the ledger and past its simulated end ⇒
 * 'finished' with the recomputed result; in the ledger otherwise ⇒ 'in-progress'; absent ⇒
 * 'unknown'. Instances sharing a ledger must share seed, mix, timing and speed.
 * Memory grows with the number of dials (one small entry each).
 */
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../../domain/retry-policy.ts';
import type { CallResult, DialAccepted, DialRequest, ProviderLookup, ResultListener, TelephonyProvider } from '../provider.ts';
import { LedgerFile, type LedgerEntry } from './simulator-ledger.ts';
import { DEFAULT_MIX, MAGIC_SUFFIXES, type SimulatorOptions } from './simulator-options.ts';
import { checkRange, digest, sfc32 } from './simulator-random.ts';
import { answeredByOf, ERRORS, persona, script, TELEPHONY, type Plan } from './simulator-script.ts';

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  return new Simulator(options);
}

export class Simulator implements TelephonyProvider {
  readonly name = 'simulator';
  private readonly seed: string;
  private readonly speed: number;
  private readonly weights: [AttemptOutcome, number][];
  private readonly totalWeight: number;
  private readonly ring: readonly [number, number];
  private readonly talk: readonly [number, number];
  private readonly noAnswerSeconds: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, LedgerEntry>(); // by attemptId
  private readonly byProviderId = new Map<string, string>(); // providerCallId → attemptId
  private readonly timers = new Map<string, NodeJS.Timeout>(); // attemptId → result delivery
  private readonly dialing = new Map<string, Promise<DialAccepted>>();
  private readonly listeners = new Set<ResultListener>();
  private idleWaiters: (() => void)[] = [];
  private readonly ledger: LedgerFile | null;
  private closed = false;

  constructor(private readonly options: SimulatorOptions = {}) {
    this.seed = String(options.seed ?? 1);
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) throw new RangeError('speed must be a positive number');
    const mix = options.mix ?? DEFAULT_MIX;
    for (const [key, w] of Object.entries(mix)) {
      if (!(ATTEMPT_OUTCOMES as readonly string[]).includes(key)) throw new RangeError(`unknown outcome in mix: ${key}`);
      if (!(w! >= 0) || !Number.isFinite(w)) throw new RangeError(`weight of ${key} must be a finite number ≥ 0`);
    }
    this.weights = ATTEMPT_OUTCOMES.map((o) => [o, mix[o] ?? 0]);
    this.totalWeight = this.weights.reduce((s, [, w]) => s + w, 0);
    if (this.totalWeight <= 0) throw new RangeError('the outcome mix needs at least one positive weight');
    this.ring = checkRange('ringSeconds', options.ringSeconds ?? [3, 25]);
    this.talk = checkRange('talkSeconds', options.talkSeconds ?? [30, 240]);
    this.noAnswerSeconds = checkRange('noAnswerSeconds', [options.noAnswerSeconds ?? 30, options.noAnswerSeconds ?? 30])[0];
    this.now = options.now ?? Date.now;
    this.ledger = options.ledgerPath ? new LedgerFile(options.ledgerPath) : null;
  }

  async dial(request: DialRequest): Promise<DialAccepted> {
    if (this.closed) throw new Error('simulator is closed');
    // Concurrent or repeated dials of one attempt place one call: attemptId is the idempotency key.
    const pending = this.dialing.get(request.attemptId);
    if (pending) return pending;
    const p = this.accept(request).finally(() => {
      this.dialing.delete(request.attemptId);
      this.wakeIdle();
    });
    this.dialing.set(request.attemptId, p);
    return p;
  }

  private async accept(request: DialRequest): Promise<DialAccepted> {
    const known = await this.find(request.attemptId);
    if (known) {
      // Dialed before (maybe by a dead process): never call twice, but (re)deliver its result
      // here when it ends, since whoever dials again is evidently waiting for it.
      this.schedule(known);
      return { providerCallId: known.providerCallId };
    }
    const entry: LedgerEntry = {
      providerCallId: `sim-${digest(`${this.seed}\0call\0${request.attemptId}`).toString('hex').slice(0, 24)}`,
      attemptId: request.attemptId,
      callId: request.callId,
      to: request.to,
      at: new Date(this.now()).toISOString(),
      ...persona(request),
    };
    if (this.ledger) await this.ledger.append(entry);
    if (this.closed) throw new Error('simulator is closed');
    this.remember(entry);
    this.schedule(entry);
    return { providerCallId: entry.providerCallId };
  }

  onResult(listener: ResultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async lookup(providerCallId: string): Promise<ProviderLookup> {
    let attemptId = this.byProviderId.get(providerCallId);
    if (!attemptId && this.ledger) {
      await this.refresh();
      attemptId = this.byProviderId.get(providerCallId);
    }
    return attemptId ? this.lookupByAttempt(attemptId) : { state: 'unknown' };
  }

  async lookupByAttempt(attemptId: string): Promise<ProviderLookup> {
    const entry = await this.find(attemptId);
    if (!entry) return { state: 'unknown' };
    const result = this.resultOf(entry);
    if (this.now() < result.endedAt.getTime()) return { state: 'in-progress', providerCallId: entry.providerCallId };
    return { state: 'finished', providerCallId: entry.providerCallId, result };
  }

  /** Calls accepted by this instance whose result has not been delivered yet. */
  get inFlight(): number {
    return this.timers.size;
  }

  /** Resolves once no result is waiting to be delivered (tests await this instead of sleeping). */
  whenIdle(): Promise<void> {
    if (this.timers.size === 0 && this.dialing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled(this.dialing.values());
    await this.ledger?.close();
    this.wakeIdle();
  }

  /** The deterministic result of a dial; identical in every instance with the same config. */
  resultOf(entry: LedgerEntry): CallResult {
    const plan = this.plan(entry);
    const at = Date.parse(entry.at);
    const realMs = (seconds: number) => (seconds * 1000) / this.speed;
    const answeredBy = answeredByOf(plan.outcome);
    const { transcript, summary } = script(plan, entry);
    return {
      providerCallId: entry.providerCallId,
      attemptId: entry.attemptId,
      callId: entry.callId,
      telephonyStatus: TELEPHONY[plan.outcome],
      answeredBy,
      outcome: plan.outcome,
      startedAt: new Date(at),
      answeredAt: answeredBy ? new Date(at + realMs(plan.ringSeconds)) : null,
      endedAt: new Date(at + realMs(plan.ringSeconds + plan.talkSeconds)),
      durationSeconds: answeredBy ? plan.talkSeconds : 0,
      transcript,
      summary,
      errorMessage: ERRORS[plan.outcome] ?? null,
      callbackAt: plan.outcome === 'CALLBACK_REQUESTED' ? this.callbackAt(entry, at + realMs(plan.ringSeconds + plan.talkSeconds)) : null,
    };
  }

  /** The time a CALLBACK_REQUESTED person names, if they name one: drawn from its own stream,
   * so adding it changed no other draw of the simulator. */
  private callbackAt(entry: LedgerEntry, endedAt: number): Date | null {
    const rng = sfc32(digest(`${this.seed}\0callback\0${entry.attemptId}`));
    if (rng() >= (this.options.callbackShare ?? 0.7)) return null;
    const [lo, hi] = this.options.callbackDelaySeconds ?? [300, 3600];
    return new Date(endedAt + ((lo + Math.floor(rng() * (hi - lo + 1))) * 1000) / this.speed);
  }

  private plan(entry: LedgerEntry): Plan {
    const rng = sfc32(digest(`${this.seed}\0fate\0${entry.attemptId}`));
    const outcome = this.forced(entry.to) ?? this.draw(rng());
    const between = ([lo, hi]: readonly [number, number]) => lo + Math.floor(rng() * (hi - lo + 1));
    const ring = between(this.ring);
    const talkFor: Record<AttemptOutcome, () => [number, number]> = {
      ANSWERED: () => [ring, between(this.talk)],
      MEETING_BOOKED: () => [ring, between(this.talk)],
      CALLBACK_REQUESTED: () => [ring, between([20, 60])],
      TRANSFERRED: () => [ring, between(this.talk)],
      USER_HUNG_UP: () => [ring, between([2, 20])],
      LEFT_MESSAGE: () => [ring, between([15, 40])], // greeting + message
      NO_MESSAGE: () => [ring, between([3, 10])], // hung up at the greeting
      NO_ANSWER: () => [this.noAnswerSeconds, 0],
      BUSY: () => [between([1, 3]), 0],
      ISSUE_DIALING: () => [between([1, 3]), 0],
      TECHNICAL_ERROR: () => [ring, 0],
      INVALID_NUMBER: () => [1, 0],
    };
    const [ringSeconds, talkSeconds] = talkFor[outcome]();
    return { outcome, ringSeconds, talkSeconds, rng };
  }

  /** Weighted choice; `u` in [0, 1). */
  private draw(u: number): AttemptOutcome {
    let left = u * this.totalWeight;
    let chosen: AttemptOutcome = this.weights[0][0];
    for (const [outcome, weight] of this.weights) {
      if (weight <= 0) continue;
      chosen = outcome; // float rounding at the top end falls back to the last positive weight
      if ((left -= weight) < 0) break;
    }
    return chosen;
  }

  private forced(to: string): AttemptOutcome | undefined {
    const byNumber = this.options.forceOutcomes?.[to];
    if (byNumber) return byNumber;
    if (this.options.magicNumbers === false) return undefined;
    return MAGIC_SUFFIXES[to.replace(/\D/g, '').slice(-4)];
  }

  private schedule(entry: LedgerEntry): void {
    if (this.closed || this.timers.has(entry.attemptId)) return;
    const result = this.resultOf(entry);
    const delay = Math.max(0, result.endedAt.getTime() - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(entry.attemptId);
      this.deliver(result);
      this.wakeIdle();
    }, delay);
    this.timers.set(entry.attemptId, timer);
  }

  private deliver(result: CallResult): void {
    const report = this.options.onError ?? ((e: unknown) => process.emitWarning(`simulator result listener failed: ${String(e)}`));
    for (const listener of this.listeners) {
      try {
        void Promise.resolve(listener(result)).catch(report);
      } catch (error) {
        report(error);
      }
    }
  }

  private wakeIdle(): void {
    if (this.timers.size > 0 || this.dialing.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private remember(entry: LedgerEntry): void {
    // First record wins: a later duplicate line (a racing process) must not change the answer.
    if (this.entries.has(entry.attemptId)) return;
    this.entries.set(entry.attemptId, entry);
    this.byProviderId.set(entry.providerCallId, entry.attemptId);
  }

  private async find(attemptId: string): Promise<LedgerEntry | undefined> {
    if (!this.entries.has(attemptId) && this.ledger) await this.refresh();
    return this.entries.get(attemptId);
  }

  /** Learns the dials other instances (a dead process) wrote to the shared ledger. */
  private async refresh(): Promise<void> {
    for (const e of await this.ledger!.readNew()) this.remember(e);
  }
}
