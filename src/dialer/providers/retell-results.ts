/**
 * A Retell call object (from get-call, list-calls or a webhook) read as our provider contract:
 * is it over, and if so what is the result of which attempt. The outcome rules themselves are in
 * domain/retell-outcomes.ts.
 */
import { retellOutcome, type RetellAnalysisKeys, RetellCall } from '../../domain/retell-outcomes.ts';
import type { CallResult, ProviderLookup, TelephonyStatus } from '../provider.ts';

/** Our ids, sent in the call's metadata at creation. */
export type RetellMetadata = { attempt_id: string; call_id: string | null };

export function metadataOf(call: RetellCall): RetellMetadata | null {
  const m = call.metadata as Partial<RetellMetadata> | null | undefined;
  if (!m || typeof m !== 'object' || typeof m.attempt_id !== 'string') return null;
  return { attempt_id: m.attempt_id, call_id: typeof m.call_id === 'string' ? m.call_id : null };
}

export type ReadOptions = {
  analysisKeys: RetellAnalysisKeys;
  /**
   * An ended call's analysis (summary, business results) comes a little after the end: wait for
   * it this long past end_timestamp, then take the result without it rather than never.
   */
  analysisWaitMs: number;
  now: number;
};

/** Over, for us: not connected or failed (nothing to analyse), or ended and analysed (or waited for). */
export function isFinal(call: RetellCall, options: Pick<ReadOptions, 'analysisWaitMs' | 'now'>): boolean {
  if (call.call_status === 'not_connected' || call.call_status === 'error') return true;
  if (call.call_status !== 'ended') return false;
  if (call.call_analysis) return true;
  return options.now - (call.end_timestamp ?? options.now) >= options.analysisWaitMs;
}

function telephonyStatusOf(reason: string | null, connected: boolean): TelephonyStatus {
  if (connected) return 'COMPLETED';
  if (reason === 'dial_busy' || reason === 'user_declined') return 'BUSY';
  if (reason === 'dial_no_answer') return 'NO_ANSWER';
  return 'FAILED';
}

/** The result of a final call; null when the call is not one of ours (no attempt id in its metadata). */
export function resultOf(call: RetellCall, options: ReadOptions): CallResult | null {
  const meta = metadataOf(call);
  if (!meta) return null;
  const verdict = retellOutcome(call, options.analysisKeys);
  const connected = verdict.answeredBy !== null;
  const ended = new Date(call.end_timestamp ?? options.now);
  const started = new Date(call.start_timestamp ?? ended.getTime());
  const failed = verdict.outcome === 'TECHNICAL_ERROR' || verdict.outcome === 'ISSUE_DIALING' || verdict.outcome === 'INVALID_NUMBER';
  return {
    providerCallId: call.call_id,
    attemptId: meta.attempt_id,
    callId: meta.call_id,
    telephonyStatus: telephonyStatusOf(verdict.reason, connected),
    answeredBy: verdict.answeredBy,
    outcome: verdict.outcome,
    startedAt: started,
    answeredAt: connected ? started : null,
    endedAt: ended,
    durationSeconds: connected ? Math.round((call.duration_ms ?? ended.getTime() - started.getTime()) / 1000) : 0,
    transcript: call.transcript || null,
    summary: call.call_analysis?.call_summary || null,
    errorMessage: failed ? `Retell: ${verdict.reason ?? call.call_status}` : null,
    callbackAt: verdict.callbackAt,
    recordingUrl: call.recording_url || null,
    costCents: call.call_cost?.combined_cost ?? null,
  };
}

/** What a lookup answers for a call Retell knows. */
export function lookupOf(raw: unknown, options: ReadOptions): ProviderLookup {
  const call = RetellCall.parse(raw);
  if (!isFinal(call, options)) return { state: 'in-progress', providerCallId: call.call_id };
  const result = resultOf(call, options);
  if (!result) throw new Error(`Retell call ${call.call_id} carries no callboard attempt id in its metadata`);
  return { state: 'finished', providerCallId: call.call_id, result };
}
