/**
 * The contract every telephony provider implements (the built-in simulator, Retell, …).
 *
 * Shaped for a crash-safe dialer:
 * - The dialer records the attempt (its id) *before* calling `dial`, and passes that id along.
 *   `attemptId` is the provider-side idempotency key: dialing the same attemptId twice must not
 *   place a second call where the provider can promise that (the simulator does).
 * - `dial` resolves once the provider has *accepted* the call, not when it ends. If `dial` rejects
 *   or the process dies before it resolves, the call may or may not exist: ask
 *   `lookupByAttempt(attemptId)` — 'unknown' is the only answer that makes redialing safe.
 * - Final results arrive on `onResult`, each carrying attemptId and callId so any process can
 *   apply it without in-memory state. Delivery is at most once, and may repeat across processes
 *   (a result pushed by one and looked up by another): apply results idempotently (ignore one for
 *   an attempt already finished), and reconcile attempts left IN_PROGRESS too long with `lookup`.
 */
import type { AttemptOutcome } from '../domain/retry-policy.ts';

export type TelephonyStatus = 'QUEUED' | 'RINGING' | 'IN_PROGRESS' | 'COMPLETED' | 'BUSY' | 'NO_ANSWER' | 'FAILED' | 'CANCELED';
export type AnsweredBy = 'HUMAN' | 'MACHINE';

export type DialAgent = {
  name: string;
  script: string;
  voice: string | null;
  /** The provider's own agent (Retell's agent_id); null: the provider's default for the number. */
  providerAgentId: string | null;
};

export type DialRequest = {
  /** The CallAttempt row's id, written before dialing. */
  attemptId: string;
  /** Null for a test call (it has no Call row). */
  callId: string | null;
  /** E.164. */
  to: string;
  from?: string;
  agent: DialAgent;
  /** The contact's extra columns for the script; `name` (or firstName / first_name) greets them. */
  variables: Record<string, unknown>;
};

export type DialAccepted = { providerCallId: string };

export type CallResult = {
  providerCallId: string;
  attemptId: string;
  callId: string | null;
  telephonyStatus: TelephonyStatus;
  /** Who picked up; null when nobody did. Non-null = connected (counts towards time spent). */
  answeredBy: AnsweredBy | null;
  outcome: AttemptOutcome;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date;
  /** Connected talk time in seconds (0 when not answered); what minutes are billed on. */
  durationSeconds: number;
  transcript: string | null;
  summary: string | null;
  errorMessage: string | null;
  /** CALLBACK_REQUESTED: when the person asked to be called back, if they said (null or absent otherwise). */
  callbackAt?: Date | null;
  /** Where the provider keeps the recording, when it records. */
  recordingUrl?: string | null;
  /** What the provider charged for the call, in cents, when it says. */
  costCents?: number | null;
};

export type ProviderLookup =
  /** The provider never accepted a dial for this id: redialing is safe. */
  | { state: 'unknown' }
  /** Accepted and not over yet: wait for onResult or look again later. */
  | { state: 'in-progress'; providerCallId: string }
  | { state: 'finished'; providerCallId: string; result: CallResult };

/** May return a promise; a rejection is reported by the provider, not retried. */
export type ResultListener = (result: CallResult) => void | Promise<void>;

export interface TelephonyProvider {
  /** Short identifier for logs and the attempt row ("simulator", "twilio"). */
  readonly name: string;
  dial(request: DialRequest): Promise<DialAccepted>;
  /** Subscribes to final results; returns the unsubscribe function. */
  onResult(listener: ResultListener): () => void;
  lookup(providerCallId: string): Promise<ProviderLookup>;
  lookupByAttempt(attemptId: string): Promise<ProviderLookup>;
  /** Stops delivering results and releases timers/handles. Calls in flight are not cancelled
   * provider-side; their results stay available through lookup. Idempotent. */
  close(): Promise<void>;
}
