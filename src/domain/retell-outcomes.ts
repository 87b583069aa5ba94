/**
 * What a Retell call means for us: its outcome, who answered, and when to call back.
 *
 * Pure: the provider passes the call object Retell reports (get-call, list-calls or a webhook)
 * and writes the verdict on the attempt. Order of the rules (README "Outcomes with Retell"):
 *   1. business results of a conversation: the post-call analysis says a meeting was booked or a
 *      callback was asked for (keys configurable), or the call was handed to a human;
 *   2. voicemail: LEFT_MESSAGE when the agent spoke into it, else NO_MESSAGE;
 *   3. the connection, by `disconnection_reason` (REASON_OUTCOMES below).
 */
import { z } from 'zod';
import type { AttemptOutcome } from './retry-policy.ts';

/** The provider's name: on its inbox rows (provider_event.provider) and in logs. */
export const RETELL = 'retell';

/** The fields of Retell's call object we read; the rest passes through untouched. */
export const RetellCall = z.looseObject({
  call_id: z.string().min(1).max(200),
  call_status: z.enum(['registered', 'not_connected', 'ongoing', 'ended', 'error']),
  disconnection_reason: z.string().max(100).nullish(),
  start_timestamp: z.number().nullish(),
  end_timestamp: z.number().nullish(),
  duration_ms: z.number().nullish(),
  transcript: z.string().nullish(),
  transcript_object: z.array(z.looseObject({ role: z.string(), content: z.string().nullish() })).nullish(),
  recording_url: z.string().nullish(),
  metadata: z.unknown().optional(),
  call_analysis: z
    .looseObject({
      call_summary: z.string().nullish(),
      call_successful: z.boolean().nullish(),
      in_voicemail: z.boolean().nullish(),
      user_sentiment: z.string().nullish(),
      custom_analysis_data: z.unknown().optional(),
    })
    .nullish(),
  call_cost: z.looseObject({ combined_cost: z.number().nullish() }).nullish(),
});
export type RetellCall = z.infer<typeof RetellCall>;

/** Keys of `call_analysis.custom_analysis_data` that carry business results (configurable). */
export type RetellAnalysisKeys = { meetingBooked: string; callbackRequested: string; callbackAt: string };
export const DEFAULT_ANALYSIS_KEYS: RetellAnalysisKeys = {
  meetingBooked: 'meeting_booked',
  callbackRequested: 'callback_requested',
  callbackAt: 'callback_at',
};

type Connection = { outcome: AttemptOutcome; connected: boolean };
const answered = (outcome: AttemptOutcome): Connection => ({ outcome, connected: true });
const notConnected = (outcome: AttemptOutcome): Connection => ({ outcome, connected: false });

/**
 * Every `disconnection_reason` of retell-sdk 5.66, and what the connection alone says. A reason
 * Retell adds later falls to `unknownReason`.
 */
export const REASON_OUTCOMES: Readonly<Record<string, Connection>> = {
  user_hangup: answered('USER_HUNG_UP'),
  agent_hangup: answered('ANSWERED'),
  inactivity: answered('ANSWERED'),
  max_duration_reached: answered('ANSWERED'),
  // The transfer was attempted and did not go through: the conversation itself happened.
  transfer_cancelled: answered('ANSWERED'),
  manual_stopped: answered('ANSWERED'),
  call_transfer: answered('TRANSFERRED'),
  transfer_bridged: answered('TRANSFERRED'),
  // A person took the call over from the agent.
  call_take_over: answered('TRANSFERRED'),
  voicemail_reached: answered('NO_MESSAGE'),
  // An automated menu answered: a machine, and nobody heard the agent.
  ivr_reached: answered('NO_MESSAGE'),
  dial_no_answer: notConnected('NO_ANSWER'),
  dial_busy: notConnected('BUSY'),
  user_declined: notConnected('BUSY'),
  invalid_destination: notConnected('INVALID_NUMBER'),
  dial_failed: notConnected('ISSUE_DIALING'),
  telephony_provider_permission_denied: notConnected('ISSUE_DIALING'),
  telephony_provider_unavailable: notConnected('ISSUE_DIALING'),
  sip_routing_error: notConnected('ISSUE_DIALING'),
  marked_as_spam: notConnected('ISSUE_DIALING'),
  concurrency_limit_reached: notConnected('ISSUE_DIALING'),
  no_concurrency_fallback: notConnected('ISSUE_DIALING'),
  no_valid_payment: notConnected('ISSUE_DIALING'),
  scam_detected: notConnected('ISSUE_DIALING'),
  registered_call_timeout: notConnected('TECHNICAL_ERROR'),
  error_llm_websocket_open: notConnected('TECHNICAL_ERROR'),
  error_llm_websocket_lost_connection: notConnected('TECHNICAL_ERROR'),
  error_llm_websocket_runtime: notConnected('TECHNICAL_ERROR'),
  error_llm_websocket_corrupt_payload: notConnected('TECHNICAL_ERROR'),
  error_no_audio_received: notConnected('TECHNICAL_ERROR'),
  error_asr: notConnected('TECHNICAL_ERROR'),
  error_retell: notConnected('TECHNICAL_ERROR'),
  error_unknown: notConnected('TECHNICAL_ERROR'),
  error_user_not_joined: notConnected('TECHNICAL_ERROR'),
};

/** A reason not in the table: any `error_*` is a technical error; otherwise the call status decides. */
function unknownReason(reason: string | null | undefined, call: RetellCall): Connection {
  if (reason?.startsWith('error_') || call.call_status === 'error') return notConnected('TECHNICAL_ERROR');
  if (call.call_status === 'not_connected') return notConnected('ISSUE_DIALING');
  return (call.duration_ms ?? 0) > 0 ? answered('ANSWERED') : notConnected('TECHNICAL_ERROR');
}

export type RetellVerdict = {
  outcome: AttemptOutcome;
  /** Null when nobody picked up. */
  answeredBy: 'HUMAN' | 'MACHINE' | null;
  /** CALLBACK_REQUESTED with a time the analysis understood; null otherwise. */
  callbackAt: Date | null;
  /** The disconnection reason, for the attempt's error message when the call failed. */
  reason: string | null;
};

/** Yes in the ways an analysis field may say it: true, "true", "yes", 1. */
function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  return typeof value === 'string' && /^(true|yes|y|1)$/i.test(value.trim());
}

function analysisData(call: RetellCall): Record<string, unknown> {
  const data = call.call_analysis?.custom_analysis_data;
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

function callbackTime(value: unknown): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Did the agent say anything? (transcript_object when present, else "Agent:" lines.) */
export function agentSpoke(call: RetellCall): boolean {
  if (call.transcript_object) return call.transcript_object.some((u) => u.role === 'agent' && (u.content ?? '').trim() !== '');
  return /^Agent:\s*\S/m.test(call.transcript ?? '');
}

/** The verdict on an ended call (call_status ended, not_connected or error). */
export function retellOutcome(call: RetellCall, keys: RetellAnalysisKeys = DEFAULT_ANALYSIS_KEYS): RetellVerdict {
  const reason = call.disconnection_reason ?? null;
  const connection = (reason && REASON_OUTCOMES[reason]) || unknownReason(reason, call);
  const voicemail = connection.connected && (call.call_analysis?.in_voicemail === true || reason === 'voicemail_reached');
  const machine = voicemail || reason === 'ivr_reached';
  const answeredBy = !connection.connected ? null : machine ? 'MACHINE' : 'HUMAN';
  const verdict = (outcome: AttemptOutcome, callbackAt: Date | null = null): RetellVerdict => ({ outcome, answeredBy, callbackAt, reason });

  if (connection.connected && !machine) {
    const data = analysisData(call);
    if (truthy(data[keys.meetingBooked])) return verdict('MEETING_BOOKED');
    if (truthy(data[keys.callbackRequested])) return verdict('CALLBACK_REQUESTED', callbackTime(data[keys.callbackAt]));
    if (connection.outcome === 'TRANSFERRED') return verdict('TRANSFERRED');
  }
  if (voicemail) return verdict(agentSpoke(call) ? 'LEFT_MESSAGE' : 'NO_MESSAGE');
  return verdict(connection.outcome);
}
