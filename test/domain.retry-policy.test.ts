import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_OUTCOMES,
  CALL_OUTCOMES,
  CONNECTED_OUTCOMES,
  DEFAULT_RETRY_POLICY,
  RETRYABLE_OUTCOMES,
  RetryPolicySchema,
  SUCCESS_OUTCOMES,
  TECHNICAL_FAILURES,
  decideAfterAttempt,
  finalStatus,
  resolveRetryPolicy,
  type AttemptOutcome,
} from '../src/domain/retry-policy.ts';

const now = new Date('2024-06-12T15:00:00.000Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('outcome sets', () => {
  it('lists every CallOutcome of the API once, attempt outcomes being a subset', () => {
    expect(new Set(CALL_OUTCOMES).size).toBe(16);
    for (const o of ATTEMPT_OUTCOMES) expect(CALL_OUTCOMES).toContain(o);
  });

  it('success ⊂ connected, and neither contains a retryable outcome', () => {
    expect([...SUCCESS_OUTCOMES].sort()).toEqual(['ANSWERED', 'CALLBACK_REQUESTED', 'MEETING_BOOKED', 'TRANSFERRED']);
    expect([...CONNECTED_OUTCOMES].sort()).toEqual([...SUCCESS_OUTCOMES, 'LEFT_MESSAGE', 'USER_HUNG_UP'].sort());
    for (const o of RETRYABLE_OUTCOMES) expect(CONNECTED_OUTCOMES.has(o)).toBe(false);
  });

  it('has the documented default delays', () => {
    expect(DEFAULT_RETRY_POLICY.BUSY.delaySeconds).toBe(15 * 60);
    expect(DEFAULT_RETRY_POLICY.NO_ANSWER.delaySeconds).toBe(3600);
    expect(DEFAULT_RETRY_POLICY.NO_MESSAGE.delaySeconds).toBe(3600);
    expect(DEFAULT_RETRY_POLICY.ISSUE_DIALING.delaySeconds).toBe(10 * 60);
    expect(DEFAULT_RETRY_POLICY.TECHNICAL_ERROR.delaySeconds).toBe(5 * 60);
  });
});

describe('decideAfterAttempt with the default policy and a campaign max of 3', () => {
  // Every attempt outcome × attempts used 1..4: [outcome, attemptsUsed, expected decision].
  type Row = [AttemptOutcome, number, object];
  const retry = (outcome: AttemptOutcome, seconds: number) => ({ status: 'RETRY_SCHEDULED', outcome, nextAttemptAt: later(seconds) });
  const rows: Row[] = [];
  for (const attemptsUsed of [1, 2, 3, 4]) {
    for (const o of ['ANSWERED', 'MEETING_BOOKED', 'CALLBACK_REQUESTED', 'TRANSFERRED', 'USER_HUNG_UP', 'LEFT_MESSAGE'] as const) {
      rows.push([o, attemptsUsed, { status: 'COMPLETED', outcome: o }]);
    }
    rows.push(['INVALID_NUMBER', attemptsUsed, { status: 'FAILED', outcome: 'INVALID_NUMBER' }]);
    const spent = attemptsUsed >= 3;
    // Spent without reaching anyone: COMPLETED "without answer" — FAILED is for technical failures only.
    rows.push(['BUSY', attemptsUsed, spent ? { status: 'COMPLETED', outcome: 'BUSY' } : retry('BUSY', 900)]);
    rows.push(['NO_ANSWER', attemptsUsed, spent ? { status: 'COMPLETED', outcome: 'NO_ANSWER' } : retry('NO_ANSWER', 3600)]);
    rows.push(['NO_MESSAGE', attemptsUsed, spent ? { status: 'COMPLETED', outcome: 'NO_MESSAGE' } : retry('NO_MESSAGE', 3600)]);
    rows.push(['ISSUE_DIALING', attemptsUsed, spent ? { status: 'FAILED', outcome: 'ISSUE_DIALING' } : retry('ISSUE_DIALING', 600)]);
    rows.push(['TECHNICAL_ERROR', attemptsUsed, spent ? { status: 'FAILED', outcome: 'TECHNICAL_ERROR' } : retry('TECHNICAL_ERROR', 300)]);
  }

  it('covers every attempt outcome', () => {
    expect(new Set(rows.map(([o]) => o))).toEqual(new Set(ATTEMPT_OUTCOMES));
  });

  it.each(rows)('%s after %d attempt(s)', (outcome, attemptsUsed, expected) => {
    expect(decideAfterAttempt({ outcome, attemptsUsed, campaignMaxAttempts: 3, now })).toEqual(expected);
  });
});

describe('attempt budget = min(campaign max, rule max)', () => {
  it('the rule caps a generous campaign: ISSUE_DIALING stops after 3 by default', () => {
    expect(decideAfterAttempt({ outcome: 'ISSUE_DIALING', attemptsUsed: 2, campaignMaxAttempts: 10, now }).status).toBe('RETRY_SCHEDULED');
    expect(decideAfterAttempt({ outcome: 'ISSUE_DIALING', attemptsUsed: 3, campaignMaxAttempts: 10, now })).toEqual({
      status: 'FAILED',
      outcome: 'ISSUE_DIALING',
    });
  });

  it('the campaign caps a generous rule', () => {
    expect(decideAfterAttempt({ outcome: 'NO_ANSWER', attemptsUsed: 1, campaignMaxAttempts: 1, now }).status).toBe('COMPLETED');
  });

  it('the latest outcome decides, counted against all attempts so far', () => {
    // BUSY, BUSY, then NO_ANSWER with campaign max 3: spent.
    expect(decideAfterAttempt({ outcome: 'NO_ANSWER', attemptsUsed: 3, campaignMaxAttempts: 3, now }).status).toBe('COMPLETED');
  });

  it('a campaign max below 1 still allows the single attempt that was made', () => {
    expect(decideAfterAttempt({ outcome: 'BUSY', attemptsUsed: 1, campaignMaxAttempts: 0, now }).status).toBe('COMPLETED');
  });
});

describe('what COMPLETED and FAILED mean', () => {
  it('FAILED only for technical failures; spent no-answers are COMPLETED without answer', () => {
    expect([...TECHNICAL_FAILURES].sort()).toEqual(['INVALID_NUMBER', 'ISSUE_DIALING', 'PLAN_LIMIT_EXCEEDED', 'TECHNICAL_ERROR']);
    for (const outcome of CALL_OUTCOMES) expect(finalStatus(outcome)).toBe(TECHNICAL_FAILURES.has(outcome) ? 'FAILED' : 'COMPLETED');
  });
});

describe('user policies', () => {
  it('overrides one field of one outcome, keeping the other defaults', () => {
    const policy = resolveRetryPolicy({ BUSY: { delaySeconds: 60 } });
    expect(policy.BUSY).toEqual({ delaySeconds: 60, maxAttempts: DEFAULT_RETRY_POLICY.BUSY.maxAttempts });
    expect(policy.NO_ANSWER).toEqual(DEFAULT_RETRY_POLICY.NO_ANSWER);
    expect(resolveRetryPolicy(null)).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({ BUSY: { delaySeconds: undefined } }).BUSY).toEqual(DEFAULT_RETRY_POLICY.BUSY);
  });

  it('applies overrides in decisions', () => {
    const policy = { BUSY: { delaySeconds: 0, maxAttempts: 2 }, TECHNICAL_ERROR: { maxAttempts: 1 } };
    expect(decideAfterAttempt({ outcome: 'BUSY', attemptsUsed: 1, campaignMaxAttempts: 5, policy, now })).toEqual({
      status: 'RETRY_SCHEDULED',
      outcome: 'BUSY',
      nextAttemptAt: now,
    });
    expect(decideAfterAttempt({ outcome: 'BUSY', attemptsUsed: 2, campaignMaxAttempts: 5, policy, now }).status).toBe('COMPLETED');
    expect(decideAfterAttempt({ outcome: 'TECHNICAL_ERROR', attemptsUsed: 1, campaignMaxAttempts: 5, policy, now }).status).toBe('FAILED');
  });

  it('the schema accepts partial overrides within bounds', () => {
    for (const ok of [{}, { BUSY: {} }, { NO_ANSWER: { delaySeconds: 0, maxAttempts: 1 } }, { NO_MESSAGE: { delaySeconds: 604800, maxAttempts: 20 } }]) {
      expect(RetryPolicySchema.safeParse(ok).success).toBe(true);
    }
  });

  it.each([
    [{ BUSY: { delaySeconds: -1 } }],
    [{ BUSY: { delaySeconds: 604801 } }],
    [{ BUSY: { delaySeconds: 1.5 } }],
    [{ BUSY: { maxAttempts: 0 } }],
    [{ BUSY: { maxAttempts: 21 } }],
    [{ BUSY: { maxAttempts: '3' } }],
    [{ BUSY: { delay: 60 } }],
    [{ ANSWERED: { maxAttempts: 2 } }],
    [{ busy: { maxAttempts: 2 } }],
    [[]],
    [null],
  ])('the schema rejects %j', (input) => {
    expect(RetryPolicySchema.safeParse(input).success).toBe(false);
  });
});

describe('properties', () => {
  const policyArb = fc.record(
    Object.fromEntries(
      RETRYABLE_OUTCOMES.map((o) => [
        o,
        fc.record({ delaySeconds: fc.integer({ min: 0, max: 604800 }), maxAttempts: fc.integer({ min: 1, max: 20 }) }, { requiredKeys: [] }),
      ]),
    ),
    { requiredKeys: [] },
  );

  it('never retries past the budget, and retries land exactly delaySeconds later', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ATTEMPT_OUTCOMES),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 20 }),
        policyArb,
        (outcome, attemptsUsed, campaignMaxAttempts, policy) => {
          expect(RetryPolicySchema.safeParse(policy).success).toBe(true);
          const d = decideAfterAttempt({ outcome, attemptsUsed, campaignMaxAttempts, policy, now });
          expect(d.outcome).toBe(outcome);
          if (d.status !== 'RETRY_SCHEDULED') return;
          const rule = resolveRetryPolicy(policy)[outcome as (typeof RETRYABLE_OUTCOMES)[number]];
          expect(attemptsUsed).toBeLessThan(Math.min(campaignMaxAttempts, rule.maxAttempts));
          expect(d.nextAttemptAt.getTime() - now.getTime()).toBe(rule.delaySeconds * 1000);
        },
      ),
    );
  });

  it('a call ends within its budget: simulated attempt sequences always terminate', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ATTEMPT_OUTCOMES), { minLength: 25, maxLength: 25 }), fc.integer({ min: 1, max: 20 }), (outcomes, max) => {
        let used = 0;
        for (const outcome of outcomes) {
          used += 1;
          const d = decideAfterAttempt({ outcome, attemptsUsed: used, campaignMaxAttempts: max, now });
          if (d.status !== 'RETRY_SCHEDULED') return used <= max;
        }
        return false;
      }),
    );
  });
});
