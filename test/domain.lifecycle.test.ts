import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_ACTIONS, CAMPAIGN_STATUSES, DIALABLE, isTerminal, transition, type CampaignAction, type CampaignStatus } from '../src/domain/lifecycle.ts';

/**
 * The whole machine written out by hand from DESIGN.md — deliberately not derived from the
 * implementation. A status is the target; `null` means the action is refused
 * (InvalidCampaignTransition). Columns: SCHEDULE START PAUSE RESUME STOP RETRY_FAILED DELETE
 * COMPLETE EDIT ADD_CONTACTS DUPLICATE.
 */
const EXPECTED: Record<CampaignStatus, Record<CampaignAction, CampaignStatus | null>> = {
  DRAFT: {
    SCHEDULE: 'SCHEDULED',
    START: 'RUNNING',
    PAUSE: null,
    RESUME: null,
    STOP: 'CANCELED',
    RETRY_FAILED: null,
    DELETE: 'CANCELED',
    COMPLETE: null,
    EDIT: 'DRAFT',
    ADD_CONTACTS: 'DRAFT',
    DUPLICATE: 'DRAFT',
  },
  SCHEDULED: {
    SCHEDULE: 'SCHEDULED', // reschedule
    START: 'RUNNING',
    PAUSE: null,
    RESUME: null,
    STOP: 'CANCELED',
    RETRY_FAILED: null,
    DELETE: 'CANCELED',
    COMPLETE: null,
    EDIT: 'SCHEDULED',
    ADD_CONTACTS: 'SCHEDULED',
    DUPLICATE: 'SCHEDULED',
  },
  RUNNING: {
    SCHEDULE: null,
    START: null,
    PAUSE: 'PAUSED',
    RESUME: null,
    STOP: 'CANCELED',
    RETRY_FAILED: 'RUNNING',
    DELETE: 'CANCELED',
    COMPLETE: 'COMPLETED',
    EDIT: 'RUNNING',
    ADD_CONTACTS: 'RUNNING',
    DUPLICATE: 'RUNNING',
  },
  PAUSED: {
    SCHEDULE: null,
    START: null,
    PAUSE: null,
    RESUME: 'RUNNING',
    STOP: 'CANCELED',
    RETRY_FAILED: 'PAUSED', // failures go back to PENDING, dialed after resume
    DELETE: 'CANCELED',
    COMPLETE: null, // only a RUNNING campaign auto-completes
    EDIT: 'PAUSED',
    ADD_CONTACTS: 'PAUSED',
    DUPLICATE: 'PAUSED',
  },
  COMPLETED: {
    SCHEDULE: null,
    START: null,
    PAUSE: null,
    RESUME: null,
    STOP: null, // nothing left to stop
    RETRY_FAILED: 'RUNNING',
    DELETE: 'COMPLETED', // keeps its final status
    COMPLETE: null,
    EDIT: 'COMPLETED', // e.g. raise maxAttempts before retryFailed
    ADD_CONTACTS: null,
    DUPLICATE: 'COMPLETED',
  },
  CANCELED: {
    SCHEDULE: null,
    START: null,
    PAUSE: null,
    RESUME: null, // "cannot be resumed"
    STOP: null,
    RETRY_FAILED: null,
    DELETE: 'CANCELED',
    COMPLETE: null,
    EDIT: null,
    ADD_CONTACTS: null,
    DUPLICATE: 'CANCELED',
  },
};

const pairs = CAMPAIGN_STATUSES.flatMap((status) => CAMPAIGN_ACTIONS.map((action) => [status, action] as const));

describe('lifecycle state machine: every (status, action) pair', () => {
  it('covers 6 statuses × 11 actions, the same sets as the table', () => {
    expect([...CAMPAIGN_STATUSES].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const row of Object.values(EXPECTED)) expect([...CAMPAIGN_ACTIONS].sort()).toEqual(Object.keys(row).sort());
    expect(pairs).toHaveLength(66);
  });

  it.each(pairs)('%s + %s', (status, action) => {
    const expected = EXPECTED[status][action];
    const result = transition(status, action);
    if (expected === null) expect(result).toEqual({ ok: false, from: status, action });
    else expect(result).toEqual({ ok: true, from: status, to: expected });
  });

  it('only RUNNING dials; only CANCELED is terminal', () => {
    expect(DIALABLE).toEqual(['RUNNING']);
    expect(CAMPAIGN_STATUSES.filter(isTerminal)).toEqual(['CANCELED']);
  });
});

const statusArb = fc.constantFrom(...CAMPAIGN_STATUSES);
const actionArb = fc.constantFrom(...CAMPAIGN_ACTIONS);
const actionsArb = fc.array(actionArb, { maxLength: 60 });

/** Applies actions in order, refused ones leaving the status as it was; returns every step. */
function run(start: CampaignStatus, actions: CampaignAction[]) {
  const steps: { from: CampaignStatus; action: CampaignAction; to: CampaignStatus; ok: boolean }[] = [];
  let status = start;
  for (const action of actions) {
    const result = transition(status, action);
    const to = result.ok ? result.to : status;
    steps.push({ from: status, action, to, ok: result.ok });
    status = to;
  }
  return { steps, final: status };
}

/** Which (from, action) may lead *into* each status from a different status. */
const ENTRIES: Record<CampaignStatus, string[]> = {
  DRAFT: [], // never re-entered
  SCHEDULED: ['DRAFT+SCHEDULE'],
  RUNNING: ['DRAFT+START', 'SCHEDULED+START', 'PAUSED+RESUME', 'COMPLETED+RETRY_FAILED'],
  PAUSED: ['RUNNING+PAUSE'],
  COMPLETED: ['RUNNING+COMPLETE'],
  CANCELED: ['DRAFT+STOP', 'SCHEDULED+STOP', 'RUNNING+STOP', 'PAUSED+STOP', 'DRAFT+DELETE', 'SCHEDULED+DELETE', 'RUNNING+DELETE', 'PAUSED+DELETE'],
};

describe('lifecycle state machine: random action sequences', () => {
  it('is total and deterministic: never throws, always a known status, refusals name the pair', () => {
    fc.assert(
      fc.property(statusArb, actionArb, (status, action) => {
        const a = transition(status, action);
        expect(transition(status, action)).toEqual(a);
        expect(a.from).toBe(status);
        if (a.ok) expect(CAMPAIGN_STATUSES).toContain(a.to);
        else expect(a.action).toBe(action);
      }),
    );
  });

  it('once CANCELED, always CANCELED; only DELETE (and making a copy) is accepted there', () => {
    fc.assert(
      fc.property(statusArb, actionsArb, (start, actions) => {
        const { steps } = run(start, actions);
        const i = steps.findIndex((s) => s.to === 'CANCELED');
        if (i === -1) return;
        for (const s of steps.slice(i + 1)) {
          expect(s.to).toBe('CANCELED');
          expect(s.ok).toBe(s.action === 'DELETE' || s.action === 'DUPLICATE');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every status change is one of the documented entries (COMPLETED only from RUNNING, …)', () => {
    fc.assert(
      fc.property(statusArb, actionsArb, (start, actions) => {
        for (const s of run(start, actions).steps) {
          if (s.to !== s.from) expect(ENTRIES[s.to]).toContain(`${s.from}+${s.action}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('from DRAFT, DRAFT is never re-entered and nothing runs before a START', () => {
    fc.assert(
      fc.property(actionsArb, (actions) => {
        const { steps } = run('DRAFT', actions);
        const left = steps.findIndex((s) => s.to !== 'DRAFT');
        if (left >= 0) for (const s of steps.slice(left)) expect(s.to).not.toBe('DRAFT');
        const firstRunning = steps.findIndex((s) => s.to === 'RUNNING');
        if (firstRunning >= 0) expect(steps[firstRunning]!.action).toBe('START');
        // PAUSED and COMPLETED require having run first.
        const needsRun = steps.findIndex((s) => s.to === 'PAUSED' || s.to === 'COMPLETED');
        if (needsRun >= 0) expect(firstRunning).toBeGreaterThanOrEqual(0);
        if (needsRun >= 0) expect(firstRunning).toBeLessThan(needsRun);
      }),
      { numRuns: 500 },
    );
  });

  it('a refused action changes nothing and an accepted one is what the table says', () => {
    fc.assert(
      fc.property(statusArb, actionsArb, (start, actions) => {
        for (const s of run(start, actions).steps) {
          const expected = EXPECTED[s.from][s.action];
          expect(s.ok).toBe(expected !== null);
          expect(s.to).toBe(expected ?? s.from);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('EDIT and ADD_CONTACTS never change the status; PAUSE/RESUME undo each other', () => {
    fc.assert(
      fc.property(statusArb, (status) => {
        for (const action of ['EDIT', 'ADD_CONTACTS'] as const) {
          const r = transition(status, action);
          if (r.ok) expect(r.to).toBe(status);
        }
        const paused = transition(status, 'PAUSE');
        if (paused.ok) expect(transition(paused.to, 'RESUME')).toEqual({ ok: true, from: 'PAUSED', to: status });
      }),
    );
  });

  it('every status is reachable from DRAFT', () => {
    const seen = new Set<CampaignStatus>(['DRAFT']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of [...seen]) {
        for (const action of CAMPAIGN_ACTIONS) {
          const r = transition(from, action);
          if (r.ok && !seen.has(r.to)) {
            seen.add(r.to);
            grew = true;
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([...CAMPAIGN_STATUSES].sort());
  });
});
