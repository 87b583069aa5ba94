import { describe, expect, it } from 'vitest';
import type { CallResult } from '../src/dialer/provider.ts';
import { createSimulator, type Simulator } from '../src/dialer/providers/simulator.ts';
import { DEFAULT_MIX, MAGIC_SUFFIXES, type SimulatorOptions } from '../src/dialer/providers/simulator-options.ts';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../src/domain/retry-policy.ts';
import { collect, make, request } from './helpers/simulator.ts';

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
