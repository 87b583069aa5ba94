import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { readLedger } from '../src/dialer/providers/simulator-ledger.ts';
import type { SimulatorOptions } from '../src/dialer/providers/simulator-options.ts';
import { collect, freshLedger, ledgerDir, make, request } from './helpers/simulator.ts';

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
    expect(await readLedger(path.join(ledgerDir, 'nope.jsonl'))).toEqual([]);
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
