import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../../domain/retry-policy.ts';

// How a simulator behaves: speed, outcome mix, timings, forced outcomes, ledger (see simulator.ts).

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
  /**
   * A CALLBACK_REQUESTED person names a time this many (simulated) seconds after the call ends,
   * [min, max] — five minutes to an hour by default — in `callbackShare` of the calls (0.7); the
   * others just say "call me back".
   */
  callbackDelaySeconds?: readonly [number, number];
  callbackShare?: number;
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
