import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { CallResult, DialRequest } from '../src/dialer/provider.ts';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../src/domain/retry-policy.ts';
import { createSimulator, type Simulator } from '../src/dialer/providers/simulator.ts';
import { DEFAULT_MIX, MAGIC_SUFFIXES, type SimulatorOptions } from '../src/dialer/providers/simulator-options.ts';
import { readLedger } from '../src/dialer/providers/simulator-ledger.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'callboard-sim-'));
let ledgerCount = 0;
const freshLedger = () => path.join(dir, `ledger-${++ledgerCount}`, 'calls.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const leftovers: Simulator[] = [];
afterEach(async () => {
  await Promise.all(leftovers.splice(0).map((s) => s.close()));
});

function make(options: SimulatorOptions = {}): Simulator {
  const sim = createSimulator({ seed: 42, speed: 1_000_000, magicNumbers: false, ...options });
  leftovers.push(sim);
  return sim;
}

/** Collects results; `next()` resolves with the next unread one, waiting if none has come yet. */
function collect(sim: Simulator) {
  const results: CallResult[] = [];
  let read = 0;
  let wake: (() => void) | null = null;
  sim.onResult((r) => {
    results.push(r);
    wake?.();
  });
  const next = async (): Promise<CallResult> => {
    while (read === results.length) await new Promise<void>((resolve) => (wake = resolve));
    return results[read++];
  };
  return { results, next };
}

function request(i: number | string, overrides: Partial<DialRequest> = {}): DialRequest {
  return {
    attemptId: `attempt-${i}`,
    callId: `call-${i}`,
    to: `+1202555${String(1000 + (Number(i) % 8000 || 0)).padStart(4, '0')}`,
    agent: {
      name: 'Ava',
      script: 'You are Ava, a friendly assistant. Hi {{firstName}}, I am calling about your {{plan}} plan renewal.',
      voice: 'alloy',
      providerAgentId: null,
    },
    variables: { firstName: 'Jane', plan: 'Pro' },
    ...overrides,
  };
}

// Instants depend on when each dial happened; the callback's distance from the call's end does not.
const withoutTimes = ({ startedAt, answeredAt, endedAt, callbackAt, ...rest }: CallResult) => ({
  ...rest,
  callbackAfterMs: callbackAt ? callbackAt.getTime() - endedAt.getTime() : null,
});

describe('determinism', () => {
  it('same seed and attempt ids ⇒ same results, whatever the dial order', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => i);
    const a = make();
    const b = make();
    const ra = collect(a);
    const rb = collect(b);
    for (const i of ids) await a.dial(request(i));
    for (const i of [...ids].reverse()) await b.dial(request(i));
    await Promise.all([a.whenIdle(), b.whenIdle()]);
    const byAttempt = (rs: CallResult[]) => new Map(rs.map((r) => [r.attemptId, withoutTimes(r)]));
    expect(byAttempt(rb.results)).toEqual(byAttempt(ra.results));
    expect(new Set(ra.results.map((r) => r.outcome)).size).toBeGreaterThan(3);
  });

  it('a different seed gives different outcomes', async () => {
    const a = make({ seed: 1 });
    const b = make({ seed: 2 });
    const outcomes = async (sim: Simulator) => {
      const c = collect(sim);
      for (let i = 0; i < 40; i++) await sim.dial(request(i));
      await sim.whenIdle();
      return c.results.sort((x, y) => x.attemptId.localeCompare(y.attemptId)).map((r) => r.outcome);
    };
    expect(await outcomes(a)).not.toEqual(await outcomes(b));
  });
});

describe('outcome mix', () => {
  it('2000 dials match the default weights', async () => {
    const sim = make({ speed: 100_000 });
    const { results } = collect(sim);
    await Promise.all(Array.from({ length: 2000 }, (_, i) => sim.dial(request(i))));
    await sim.whenIdle();
    expect(results).toHaveLength(2000);
    const total = Object.values(DEFAULT_MIX).reduce((s, w) => s + w, 0);
    for (const outcome of ATTEMPT_OUTCOMES) {
      const p = DEFAULT_MIX[outcome] / total;
      const observed = results.filter((r) => r.outcome === outcome).length / 2000;
      // 4.5 standard deviations of a binomial proportion: a wrong weight table fails, noise doesn't.
      expect(Math.abs(observed - p), outcome).toBeLessThanOrEqual(4.5 * Math.sqrt((p * (1 - p)) / 2000) + 0.002);
    }
  });

  it('a custom mix replaces the default; zero weights never happen', async () => {
    const sim = make({ mix: { BUSY: 1, MEETING_BOOKED: 3 } });
    const { results } = collect(sim);
    await Promise.all(Array.from({ length: 400 }, (_, i) => sim.dial(request(i))));
    await sim.whenIdle();
    const busy = results.filter((r) => r.outcome === 'BUSY').length;
    expect(busy + results.filter((r) => r.outcome === 'MEETING_BOOKED').length).toBe(400);
    expect(busy).toBeGreaterThan(60);
    expect(busy).toBeLessThan(140);
  });

  it.each([
    [{ mix: {} }],
    [{ mix: { BUSY: 0 } }],
    [{ mix: { BUSY: -1, ANSWERED: 2 } }],
    [{ mix: { ANSWERED: Number.NaN } }],
    [{ mix: { HUNG_UP: 1 } as never }],
    [{ speed: 0 }],
    [{ speed: Infinity }],
    [{ ringSeconds: [5, 2] as const }],
    [{ talkSeconds: [-1, 2] as const }],
    [{ noAnswerSeconds: 2.5 }],
  ])('refuses nonsense options %j', (options) => {
    expect(() => createSimulator(options)).toThrow(RangeError);
  });
});

describe('forcing outcomes', () => {
  it('by exact number, then by the 99NN suffix unless disabled', async () => {
    const forced = make({ magicNumbers: true, forceOutcomes: { '+12025550001': 'TRANSFERRED', '+12025559909': 'ANSWERED' } });
    const plain = make({ magicNumbers: false, mix: { ANSWERED: 1 } });
    const f = collect(forced);
    const p = collect(plain);
    const suffixes = Object.entries(MAGIC_SUFFIXES);
    expect(suffixes).toHaveLength(12);
    for (const [suffix, outcome] of suffixes) {
      await forced.dial(request(`m${suffix}`, { to: `+1415555${suffix}` }));
      expect((await f.next()).outcome).toBe(outcome);
    }
    await forced.dial(request('x1', { to: '+12025550001' }));
    expect((await f.next()).outcome).toBe('TRANSFERRED');
    await forced.dial(request('x2', { to: '+12025559909' })); // map beats suffix (9909 = BUSY)
    expect((await f.next()).outcome).toBe('ANSWERED');
    await plain.dial(request('x3', { to: '+12025559909' }));
    expect((await p.next()).outcome).toBe('ANSWERED');
  });
});

describe('results', () => {
  const forcedSim = (outcome: AttemptOutcome, extra: SimulatorOptions = {}) => make({ mix: { [outcome]: 1 }, ...extra });

  it('a conversation: answered by a person, talk time, transcript from the agent, script and contact', async () => {
    const sim = forcedSim('MEETING_BOOKED', { speed: 1000, ringSeconds: [4, 4], talkSeconds: [60, 60] });
    const c = collect(sim);
    const { providerCallId } = await sim.dial(request(1));
    const r = await c.next();
    expect(r).toMatchObject({
      providerCallId,
      attemptId: 'attempt-1',
      callId: 'call-1',
      telephonyStatus: 'COMPLETED',
      answeredBy: 'HUMAN',
      outcome: 'MEETING_BOOKED',
      durationSeconds: 60,
      errorMessage: null,
    });
    // 1000× compression: 4 s of ringing = 4 ms, 60 s of talk = 60 ms, reported in real time.
    expect(r.answeredAt!.getTime() - r.startedAt.getTime()).toBe(4);
    expect(r.endedAt.getTime() - r.answeredAt!.getTime()).toBe(60);
    expect(r.transcript).toContain('Ava: Hi Jane, this is Ava. Hi Jane, I am calling about your Pro plan renewal.');
    expect(r.transcript).not.toContain('You are Ava');
    expect(r.summary).toMatch(/^Spoke with Jane; meeting booked for .+\.$/);
  });

  it.each([
    ['ANSWERED', 'COMPLETED', 'HUMAN'],
    ['CALLBACK_REQUESTED', 'COMPLETED', 'HUMAN'],
    ['TRANSFERRED', 'COMPLETED', 'HUMAN'],
    ['USER_HUNG_UP', 'COMPLETED', 'HUMAN'],
    ['LEFT_MESSAGE', 'COMPLETED', 'MACHINE'],
    ['NO_MESSAGE', 'COMPLETED', 'MACHINE'],
    ['NO_ANSWER', 'NO_ANSWER', null],
    ['BUSY', 'BUSY', null],
    ['ISSUE_DIALING', 'FAILED', null],
    ['TECHNICAL_ERROR', 'FAILED', null],
    ['INVALID_NUMBER', 'FAILED', null],
  ] as const)('%s → telephony %s, answered by %s', async (outcome, telephonyStatus, answeredBy) => {
    const sim = forcedSim(outcome);
    const c = collect(sim);
    await sim.dial(request(outcome));
    const r = await c.next();
    expect(r).toMatchObject({ outcome, telephonyStatus, answeredBy });
    expect(r.summary).toBeTruthy();
    if (answeredBy) {
      expect(r.durationSeconds).toBeGreaterThan(0);
      expect(r.answeredAt).not.toBeNull();
      expect(r.transcript).toBeTruthy();
    } else {
      expect(r.durationSeconds).toBe(0);
      expect(r.answeredAt).toBeNull();
      expect(r.transcript).toBeNull();
    }
    expect(r.errorMessage !== null).toBe(telephonyStatus === 'FAILED');
    expect(r.endedAt.getTime()).toBeGreaterThanOrEqual(r.startedAt.getTime());
  });

  it('works without a contact name or a speakable script', async () => {
    const sim = forcedSim('ANSWERED');
    const c = collect(sim);
    await sim.dial(request(1, { variables: {}, agent: { name: ' ', script: 'You are a sales bot. Never lie.', voice: null, providerAgentId: null } }));
    const r = await c.next();
    expect(r.transcript).toContain("your assistant: Hi, this is your assistant. I'm calling with a quick question.");
    expect(r.summary).toContain('the contact');
  });

  it('a failing listener is reported, the others still get the result', async () => {
    const errors: unknown[] = [];
    const sim = forcedSim('BUSY', { onError: (e) => errors.push(e) });
    sim.onResult(() => {
      throw new Error('sync boom');
    });
    sim.onResult(async () => {
      throw new Error('async boom');
    });
    const c = collect(sim);
    await sim.dial(request(1));
    await c.next();
    await sim.whenIdle();
    await new Promise((resolve) => setImmediate(resolve)); // let the rejected listener promise settle
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['async boom', 'sync boom']);
  });

  it('unsubscribed listeners get nothing', async () => {
    const sim = forcedSim('BUSY');
    const seen: CallResult[] = [];
    const off = sim.onResult((r) => void seen.push(r));
    off();
    const c = collect(sim);
    await sim.dial(request(1));
    await c.next();
    expect(seen).toEqual([]);
  });
});

describe('ledger', () => {
  it('holds the dial durably before dial resolves and before the result', async () => {
    const ledgerPath = freshLedger();
    const sim = make({ ledgerPath, speed: 100_000 });
    const seenInLedgerAtResult: boolean[] = [];
    sim.onResult((r) => void seenInLedgerAtResult.push(readFileSync(ledgerPath, 'utf8').includes(`"attemptId":"${r.attemptId}"`)));
    for (let i = 0; i < 20; i++) {
      const { providerCallId } = await sim.dial(request(i));
      const lines = readFileSync(ledgerPath, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(i + 1);
      expect(JSON.parse(lines[i])).toMatchObject({ providerCallId, attemptId: `attempt-${i}`, callId: `call-${i}`, to: request(i).to });
    }
    await sim.whenIdle();
    expect(seenInLedgerAtResult).toEqual(Array(20).fill(true));
    const entries = await readLedger(ledgerPath);
    expect(entries.map((e) => e.attemptId)).toEqual(Array.from({ length: 20 }, (_, i) => `attempt-${i}`));
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it('concurrent and repeated dials of one attempt write one line and deliver one call', async () => {
    const ledgerPath = freshLedger();
    const sim = make({ ledgerPath });
    const c = collect(sim);
    const [x, y] = await Promise.all([sim.dial(request(7)), sim.dial(request(7))]);
    expect(x).toEqual(y);
    await sim.whenIdle();
    expect(await readLedger(ledgerPath)).toHaveLength(1);
    expect(c.results).toHaveLength(1);
  });

  it('readLedger tolerates a missing file and a torn last line', async () => {
    expect(await readLedger(path.join(dir, 'nope.jsonl'))).toEqual([]);
    const ledgerPath = freshLedger();
    const sim = make({ ledgerPath });
    await sim.dial(request(1));
    appendFileSync(ledgerPath, '{"providerCallId":"sim-torn","attemptId":"att');
    expect((await readLedger(ledgerPath)).map((e) => e.attemptId)).toEqual(['attempt-1']);
  });
});

describe('crash recovery: a second instance reads the ledger', () => {
  it("answers lookups for a dead process's dials: in-progress, then finished with the same result", async () => {
    const ledgerPath = freshLedger();
    // Real time: the calls last 30 s+, far longer than this test; the first process "dies" mid-call.
    const config: SimulatorOptions = { ledgerPath, speed: 1, ringSeconds: [10, 10], talkSeconds: [30, 30], mix: { ANSWERED: 1, BUSY: 1 } };
    const first = make(config);
    const firstResults = collect(first).results;
    const accepted = [];
    for (let i = 0; i < 5; i++) accepted.push(await first.dial(request(i)));
    await first.close();
    expect(firstResults).toEqual([]);

    let clock = Date.now();
    const second = make({ ...config, now: () => clock });
    const entries = await readLedger(ledgerPath);
    for (let i = 0; i < 5; i++) {
      const { providerCallId } = accepted[i];
      expect(await second.lookupByAttempt(`attempt-${i}`)).toEqual({ state: 'in-progress', providerCallId });
    }
    expect(await second.lookupByAttempt('attempt-never-dialed')).toEqual({ state: 'unknown' });
    expect(await second.lookup('sim-nonexistent')).toEqual({ state: 'unknown' });

    clock += 60_000; // past every simulated end (10 s ring + 30 s talk at most)
    for (let i = 0; i < 5; i++) {
      const { providerCallId } = accepted[i];
      const finished = { state: 'finished', providerCallId, result: first.resultOf(entries[i]) };
      expect(await second.lookupByAttempt(`attempt-${i}`)).toEqual(finished);
      expect(await second.lookup(providerCallId)).toEqual(finished);
    }
  });

  it("redialing a dead process's attempt places no second call and delivers its result here", async () => {
    const ledgerPath = freshLedger();
    const first = make({ ledgerPath, speed: 1 });
    const { providerCallId } = await first.dial(request(1));
    await first.close();

    const second = make({ ledgerPath, speed: 1, now: () => Date.now() + 3_600_000 });
    const c = collect(second);
    expect(await second.dial(request(1))).toEqual({ providerCallId });
    const r = await c.next();
    expect(r).toEqual(first.resultOf((await readLedger(ledgerPath))[0]));
    expect(await readLedger(ledgerPath)).toHaveLength(1);
  });

  it('picks up lines appended after its first read, skipping a torn line in between', async () => {
    const ledgerPath = freshLedger();
    const writer = make({ ledgerPath });
    const reader = make({ ledgerPath });
    await writer.dial(request(1));
    expect((await reader.lookupByAttempt('attempt-1')).state).not.toBe('unknown');
    expect((await reader.lookupByAttempt('attempt-2')).state).toBe('unknown');
    appendFileSync(ledgerPath, '{"torn\n');
    await writer.dial(request(2));
    expect((await reader.lookupByAttempt('attempt-2')).state).not.toBe('unknown');
  });

  it('without a ledger only this instance knows its dials', async () => {
    const sim = make({ speed: 1, mix: { ANSWERED: 1 } });
    await sim.dial(request(1));
    expect((await sim.lookupByAttempt('attempt-1')).state).toBe('in-progress');
    expect((await make().lookupByAttempt('attempt-1')).state).toBe('unknown');
  });
});

describe('close', () => {
  it('leaves no timers, delivers nothing more, and refuses new dials', async () => {
    // Fake setTimeout only (the ledger's file I/O stays real): counting the process's real timers
    // also counted unrelated ones that happened to fire meanwhile on a loaded machine.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const sim = make({ speed: 1, ledgerPath: freshLedger(), mix: { NO_ANSWER: 1 } });
    const { results } = collect(sim);
    for (let i = 0; i < 5; i++) await sim.dial(request(i));
    expect(sim.inFlight).toBe(5);
    expect(vi.getTimerCount()).toBe(5);
    await sim.close();
    expect(sim.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await sim.whenIdle();
    expect(results).toEqual([]);
    await expect(sim.dial(request(9))).rejects.toThrow('simulator is closed');
    await sim.close(); // idempotent
    // In-flight calls still answer lookups after close, as they would after a crash.
    expect((await sim.lookupByAttempt('attempt-0')).state).toBe('in-progress');
  });
});
