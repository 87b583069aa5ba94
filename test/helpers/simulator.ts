/**
 * The simulator as its unit tests use it: instances closed after each test, fresh ledger files,
 * a result collector, and a dial request with an agent and merge fields.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { CallResult, DialRequest } from '../../src/dialer/provider.ts';
import { createSimulator, type Simulator } from '../../src/dialer/providers/simulator.ts';
import type { SimulatorOptions } from '../../src/dialer/providers/simulator-options.ts';

export const ledgerDir = mkdtempSync(path.join(tmpdir(), 'callboard-sim-'));
let ledgerCount = 0;
export const freshLedger = () => path.join(ledgerDir, `ledger-${++ledgerCount}`, 'calls.jsonl');
afterAll(() => rmSync(ledgerDir, { recursive: true, force: true }));

const leftovers: Simulator[] = [];
afterEach(async () => {
  await Promise.all(leftovers.splice(0).map((s) => s.close()));
});

export function make(options: SimulatorOptions = {}): Simulator {
  const sim = createSimulator({ seed: 42, speed: 1_000_000, magicNumbers: false, ...options });
  leftovers.push(sim);
  return sim;
}

/** Collects results; `next()` resolves with the next unread one, waiting if none has come yet. */
export function collect(sim: Simulator) {
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

export function request(i: number | string, overrides: Partial<DialRequest> = {}): DialRequest {
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
