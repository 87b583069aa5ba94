/**
 * What happens to a call after each attempt: done, failed, or another attempt later.
 *
 * Pure: the dialer passes the outcome the provider reported, the attempts used so far and `now`,
 * and writes the returned status in the same transaction as the attempt. The calling window is
 * not applied here; the dialer checks eligibility when the retry comes due.
 */
import { z } from 'zod';

/** Outcomes a dial can end with (what a provider reports). */
export const ATTEMPT_OUTCOMES = [
  'ANSWERED',
  'MEETING_BOOKED',
  'CALLBACK_REQUESTED',
  'TRANSFERRED',
  'USER_HUNG_UP',
  'LEFT_MESSAGE',
  'NO_MESSAGE',
  'NO_ANSWER',
  'BUSY',
  'ISSUE_DIALING',
  'TECHNICAL_ERROR',
  'INVALID_NUMBER',
] as const;

/** Every CallOutcome of the API (API.md), in schema order: the dial outcomes, then those set
 * without dialing: PLAN_LIMIT_EXCEEDED, NOT_DIALED (campaign stopped), DUPLICATE / DO_NOT_CALL (skips). */
export const CALL_OUTCOMES = [...ATTEMPT_OUTCOMES, 'PLAN_LIMIT_EXCEEDED', 'NOT_DIALED', 'DUPLICATE', 'DO_NOT_CALL'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** A conversation that achieved something: the numerator of the success rate. */
export const SUCCESS_OUTCOMES: ReadonlySet<CallOutcome> = new Set<CallOutcome>(['ANSWERED', 'MEETING_BOOKED', 'CALLBACK_REQUESTED', 'TRANSFERRED']);

/** The recipient (a person, or a voicemail that took a message) was reached: the call is done.
 * NO_MESSAGE also reached a machine but is retried, so it is not here; for "connected time" use
 * the attempt's answeredBy (HUMAN or MACHINE), which covers NO_MESSAGE as the seeds require. */
export const CONNECTED_OUTCOMES: ReadonlySet<CallOutcome> = new Set<CallOutcome>([...SUCCESS_OUTCOMES, 'USER_HUNG_UP', 'LEFT_MESSAGE']);

/**
 * What FAILED means (DESIGN.md "What COMPLETED and FAILED mean"): a technical issue prevented the
 * call. Only these outcomes end a call FAILED, and retryFailedCalls re-queues exactly those calls.
 * A person who did not answer (NO_ANSWER, BUSY, NO_MESSAGE once its attempts are spent) was
 * processed: COMPLETED "without answer", for a follow-up campaign rather than a retry.
 */
export const TECHNICAL_FAILURES: ReadonlySet<CallOutcome> = new Set<CallOutcome>(['ISSUE_DIALING', 'TECHNICAL_ERROR', 'INVALID_NUMBER', 'PLAN_LIMIT_EXCEEDED']);

/** The final status of a call that ended with `outcome`: FAILED for a technical failure, else COMPLETED. */
export function finalStatus(outcome: CallOutcome): 'COMPLETED' | 'FAILED' {
  return TECHNICAL_FAILURES.has(outcome) ? 'FAILED' : 'COMPLETED';
}

/** Outcomes that may be tried again; everything else ends the call on the first attempt. */
export const RETRYABLE_OUTCOMES = ['BUSY', 'NO_ANSWER', 'NO_MESSAGE', 'ISSUE_DIALING', 'TECHNICAL_ERROR'] as const;
export type RetryableOutcome = (typeof RETRYABLE_OUTCOMES)[number];

export type RetryRule = { delaySeconds: number; maxAttempts: number };
export type RetryPolicy = Record<RetryableOutcome, RetryRule>;

const MINUTE = 60;
const HOUR = 3600;
export const MAX_RETRY_DELAY_SECONDS = 7 * 24 * HOUR;
export const MAX_RULE_ATTEMPTS = 20;

/**
 * Built-in rules. maxAttempts is a per-outcome cap on top of the campaign's maxAttempts; it is high
 * for "person not there" outcomes so the campaign setting governs, and low for ISSUE_DIALING,
 * where repeated carrier rejections mean the number itself is the problem.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  BUSY: { delaySeconds: 15 * MINUTE, maxAttempts: 10 },
  NO_ANSWER: { delaySeconds: 1 * HOUR, maxAttempts: 10 },
  NO_MESSAGE: { delaySeconds: 1 * HOUR, maxAttempts: 10 },
  ISSUE_DIALING: { delaySeconds: 10 * MINUTE, maxAttempts: 3 },
  // Our side or the provider's failed, not the recipient: retry soon, a few more times.
  TECHNICAL_ERROR: { delaySeconds: 5 * MINUTE, maxAttempts: 5 },
});

const RuleOverride = z.strictObject({
  delaySeconds: z.number().int().min(0).max(MAX_RETRY_DELAY_SECONDS).optional(),
  maxAttempts: z.number().int().min(1).max(MAX_RULE_ATTEMPTS).optional(),
});

/** A user-supplied policy: partial overrides per retryable outcome. Unknown outcomes (including
 * final ones such as ANSWERED, which are never retried) are rejected rather than ignored. */
export const RetryPolicySchema = z.strictObject({
  BUSY: RuleOverride.optional(),
  NO_ANSWER: RuleOverride.optional(),
  NO_MESSAGE: RuleOverride.optional(),
  ISSUE_DIALING: RuleOverride.optional(),
  TECHNICAL_ERROR: RuleOverride.optional(),
});
export type RetryPolicyInput = z.infer<typeof RetryPolicySchema>;

/** Defaults overlaid with the overrides. Input is assumed validated by RetryPolicySchema. */
export function resolveRetryPolicy(overrides?: RetryPolicyInput | null): RetryPolicy {
  const out = {} as RetryPolicy;
  for (const outcome of RETRYABLE_OUTCOMES) {
    out[outcome] = { ...DEFAULT_RETRY_POLICY[outcome], ...stripUndefined(overrides?.[outcome]) };
  }
  return out;
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type AttemptDecision =
  /** `callback`: the person asked to be called back then — a dial outside the attempt budget. */
  { status: 'RETRY_SCHEDULED'; outcome: AttemptOutcome; nextAttemptAt: Date; callback?: true } | { status: 'COMPLETED' | 'FAILED'; outcome: CallOutcome };

export type DecideInput = {
  outcome: AttemptOutcome;
  /** Attempts made in the current budget, including the one that just ended (so ≥ 1). */
  attemptsUsed: number;
  campaignMaxAttempts: number;
  policy?: RetryPolicyInput | RetryPolicy | null;
  now: Date;
  /** CALLBACK_REQUESTED with the time the person asked for, and the callbacks budget. */
  callback?: { requestedAt: Date; used: number; max: number } | null;
};

/**
 * The call's next status. The rule of the *latest* outcome decides, counted against all attempts
 * used: after BUSY, BUSY, NO_ANSWER with a campaign max of 3 the call is spent.
 * A spent call ends with the outcome of its last attempt (finalStatus): NO_ANSWER / BUSY /
 * NO_MESSAGE are COMPLETED without answer, ISSUE_DIALING / TECHNICAL_ERROR are FAILED.
 */
export function decideAfterAttempt(input: DecideInput): AttemptDecision {
  const { outcome, attemptsUsed, campaignMaxAttempts, now } = input;
  switch (outcome) {
    case 'CALLBACK_REQUESTED': {
      // A time was given and callbacks are left: dial again then (never before now). Without a
      // time, or past the budget, the conversation happened: the call is done.
      const cb = input.callback;
      if (cb && cb.used < cb.max) {
        return { status: 'RETRY_SCHEDULED', outcome, nextAttemptAt: new Date(Math.max(cb.requestedAt.getTime(), now.getTime())), callback: true };
      }
      return { status: finalStatus(outcome), outcome };
    }
    case 'ANSWERED':
    case 'MEETING_BOOKED':
    case 'TRANSFERRED':
    case 'USER_HUNG_UP':
    case 'LEFT_MESSAGE':
    case 'INVALID_NUMBER':
      return { status: finalStatus(outcome), outcome };
    case 'BUSY':
    case 'NO_ANSWER':
    case 'NO_MESSAGE':
    case 'ISSUE_DIALING':
    case 'TECHNICAL_ERROR': {
      const rule = resolveRetryPolicy(input.policy)[outcome];
      if (hasAttemptsLeft(attemptsUsed, Math.min(campaignMaxAttempts, rule.maxAttempts))) {
        return { status: 'RETRY_SCHEDULED', outcome, nextAttemptAt: new Date(now.getTime() + rule.delaySeconds * 1000) };
      }
      return { status: finalStatus(outcome), outcome };
    }
    default: {
      const unreachable: never = outcome;
      throw new Error(`not an attempt outcome: ${String(unreachable)}`);
    }
  }
}

/** A call's attempt counters: all attempts made, and those made before the latest retryFailed. */
export type AttemptCounters = { attemptCount: number; attemptBase: number };

/** Attempts counted against the budget: retryFailed starts a fresh one (attempt_base). */
export function attemptsUsed(call: AttemptCounters): number {
  return call.attemptCount - call.attemptBase;
}

/** The attempt budget: one more dial is allowed while fewer than `maxAttempts` (at least 1) were made. */
export function hasAttemptsLeft(used: number, maxAttempts: number): boolean {
  return used < Math.max(1, maxAttempts);
}

/**
 * Where a claimed call goes when its attempt never reached the provider: the attempt no longer
 * counts, so the call waits again — as RETRY_SCHEDULED when earlier attempts of its budget were
 * made, PENDING otherwise — or, in a stopped campaign, is CANCELED / NOT_DIALED like every call
 * the stop canceled (its earlier attempts keep their own outcomes).
 */
export function afterUndialed(
  call: AttemptCounters & { outcome: string | null },
  campaignStopped: boolean,
): { status: 'PENDING' | 'RETRY_SCHEDULED' | 'CANCELED'; outcome: string | null; attemptCount: number } {
  const attemptCount = call.attemptCount - 1;
  if (campaignStopped) return { status: 'CANCELED', outcome: 'NOT_DIALED', attemptCount };
  const used = attemptsUsed({ attemptCount, attemptBase: call.attemptBase });
  return { status: used > 0 ? 'RETRY_SCHEDULED' : 'PENDING', outcome: call.outcome, attemptCount };
}
