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
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../../domain/retry-policy.ts';
import type {
  AnsweredBy,
  CallResult,
  DialAccepted,
  DialRequest,
  ProviderLookup,
  ResultListener,
  TelephonyProvider,
  TelephonyStatus,
} from '../provider.ts';
import { ERRORS, persona, script } from './simulator-script.ts';

export type OutcomeMix = Partial<Record<AttemptOutcome, number>>;

export type SimulatorOptions = {
  seed?: number | string;
  /** Time compression; 1 = real time. */
  speed?: number;
  /** Relative weights; replaces the default mix entirely (missing outcomes get weight 0). */
  mix?: OutcomeMix;
  /** Seconds of ringing before an answer, [min, max]. */
  ringSeconds?: readonly [number, number];
  /** Seconds of conversation for answered calls, [min, max]. */
  talkSeconds?: readonly [number, number];
  /** Seconds a NO_ANSWER call rings before the carrier gives up. */
  noAnswerSeconds?: number;
  forceOutcomes?: Readonly<Record<string, AttemptOutcome>>;
  magicNumbers?: boolean;
  ledgerPath?: string;
  /** Clock for timestamps and lookups (tests move it forward instead of sleeping). */
  now?: () => number;
  /** Where listener failures go; defaults to a process warning. */
  onError?: (error: unknown) => void;
};

/** A plausible campaign: about half the dials reach someone (person or voicemail). */
export const DEFAULT_MIX: Readonly<Record<AttemptOutcome, number>> = Object.freeze({
  ANSWERED: 20,
  MEETING_BOOKED: 6,
  CALLBACK_REQUESTED: 5,
  TRANSFERRED: 2,
  USER_HUNG_UP: 8,
  LEFT_MESSAGE: 10,
  NO_MESSAGE: 5,
  NO_ANSWER: 24,
  BUSY: 10,
  ISSUE_DIALING: 6,
  TECHNICAL_ERROR: 3,
  INVALID_NUMBER: 1,
});

export const MAGIC_SUFFIXES: Readonly<Record<string, AttemptOutcome>> = Object.freeze(
  Object.fromEntries(ATTEMPT_OUTCOMES.map((o, i) => [`99${String(i + 1).padStart(2, '0')}`, o])),
);

/** One accepted dial, as written to the ledger. Holds only what recomputing the result needs. */
export type LedgerEntry = {
  providerCallId: string;
  attemptId: string;
  callId: string | null;
  to: string;
  /** ISO instant the dial was accepted. */
  at: string;
  agent: string;
  /** The script line the agent opens with, variables already filled in. */
  opener: string;
  contact: string | null;
};

/** Every well-formed entry of a ledger file, in order; [] if it does not exist. A torn last line
 * (a process killed mid-write) is skipped: that dial never resolved, so nobody relies on it. */
export async function readLedger(ledgerPath: string): Promise<LedgerEntry[]> {
  let text: string;
  try {
    text = await readFile(ledgerPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseLines(text.split('\n'));
}

function parseLines(lines: string[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as LedgerEntry;
      if (typeof e.attemptId === 'string' && typeof e.providerCallId === 'string' && typeof e.at === 'string') out.push(e);
    } catch {
      // torn write: ignore
    }
  }
  return out;
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  return new Simulator(options);
}

export type Plan = { outcome: AttemptOutcome; ringSeconds: number; talkSeconds: number; rng: () => number };

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
  private ledger: Promise<FileHandle> | null = null;
  private appendQueue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private appending: Promise<void> | null = null;
  private tail = { offset: 0, rest: Buffer.alloc(0), queue: Promise.resolve() };
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
    if (this.options.ledgerPath) {
      await this.appendDurably(`${JSON.stringify(entry)}\n`);
    }
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
    if (!attemptId && this.options.ledgerPath) {
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
    // A ledger that never opened (bad path) has nothing to close; its dials already failed.
    if (this.ledger) await this.ledger.then((fh) => fh.close(), () => undefined);
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
    };
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
    const report =
      this.options.onError ?? ((e: unknown) => process.emitWarning(`simulator result listener failed: ${String(e)}`));
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
    if (!this.entries.has(attemptId) && this.options.ledgerPath) await this.refresh();
    return this.entries.get(attemptId);
  }

  /**
   * Appends whole lines and resolves once they are on disk: a crash after "accepted" can never
   * lose the record of the call. Group commit: dials arriving while a datasync runs share the
   * next write() + datasync (one fsync per dial made a 500-call campaign wait seconds on the
   * disk). One write() per batch of whole lines: O_APPEND keeps them whole between processes.
   */
  private appendDurably(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.appendQueue.push({ line, resolve, reject });
      if (!this.appending) this.appending = this.flushAppends().finally(() => (this.appending = null));
    });
  }

  private async flushAppends(): Promise<void> {
    const fh = await this.openLedger().catch((error) => {
      for (const w of this.appendQueue.splice(0)) w.reject(error);
      return null;
    });
    if (!fh) return;
    while (this.appendQueue.length > 0) {
      const batch = this.appendQueue.splice(0);
      try {
        await fh.write(batch.map((w) => w.line).join(''));
        await fh.datasync();
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  }

  private openLedger(): Promise<FileHandle> {
    this.ledger ??= (async () => {
      await mkdir(path.dirname(this.options.ledgerPath!), { recursive: true });
      return open(this.options.ledgerPath!, 'a');
    })();
    return this.ledger;
  }

  /** Reads ledger lines appended (by anyone) since the last refresh. Serialised so two lookups
   * never parse the same bytes twice; a partial last line waits for the next refresh. */
  private refresh(): Promise<void> {
    const run = async () => {
      let fh: FileHandle;
      try {
        fh = await open(this.options.ledgerPath!, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      try {
        const { size } = await fh.stat();
        if (size <= this.tail.offset) return;
        const buf = Buffer.alloc(size - this.tail.offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.tail.offset);
        this.tail.offset += bytesRead;
        const data = Buffer.concat([this.tail.rest, buf.subarray(0, bytesRead)]);
        const lastNewline = data.lastIndexOf(0x0a);
        this.tail.rest = Buffer.from(data.subarray(lastNewline + 1));
        for (const e of parseLines(data.subarray(0, lastNewline + 1).toString('utf8').split('\n'))) this.remember(e);
      } finally {
        await fh.close();
      }
    };
    const next = this.tail.queue.then(run);
    this.tail.queue = next.catch(() => undefined);
    return next;
  }
}

const TELEPHONY: Record<AttemptOutcome, TelephonyStatus> = {
  ANSWERED: 'COMPLETED',
  MEETING_BOOKED: 'COMPLETED',
  CALLBACK_REQUESTED: 'COMPLETED',
  TRANSFERRED: 'COMPLETED',
  USER_HUNG_UP: 'COMPLETED',
  LEFT_MESSAGE: 'COMPLETED',
  NO_MESSAGE: 'COMPLETED',
  NO_ANSWER: 'NO_ANSWER',
  BUSY: 'BUSY',
  ISSUE_DIALING: 'FAILED',
  TECHNICAL_ERROR: 'FAILED',
  INVALID_NUMBER: 'FAILED',
};

function answeredByOf(outcome: AttemptOutcome): AnsweredBy | null {
  if (outcome === 'LEFT_MESSAGE' || outcome === 'NO_MESSAGE') return 'MACHINE';
  return TELEPHONY[outcome] === 'COMPLETED' ? 'HUMAN' : null;
}

function checkRange(name: string, [lo, hi]: readonly [number, number]): readonly [number, number] {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) {
    throw new RangeError(`${name} must be whole seconds [min, max] with 0 ≤ min ≤ max`);
  }
  return [lo, hi];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** sfc32: small, fast, passes PractRand; seeded with 128 bits of a hash so nearby ids diverge. */
function sfc32(seed: Buffer): () => number {
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // warm-up, as the reference implementation advises
  return next;
}
