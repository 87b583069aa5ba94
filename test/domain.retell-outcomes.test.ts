import { describe, expect, it } from 'vitest';
import { REASON_OUTCOMES, retellOutcome, type RetellCall } from '../src/domain/retell-outcomes.ts';

const NOT_CONNECTED = new Set(['dial_no_answer', 'dial_busy', 'user_declined', 'invalid_destination', 'dial_failed']);

function call(reason: string | null, extra: Partial<RetellCall> = {}): RetellCall {
  const status = reason?.startsWith('error_') ? 'error' : reason && NOT_CONNECTED.has(reason) ? 'not_connected' : 'ended';
  return { call_id: 'call_1', call_status: status, disconnection_reason: reason, duration_ms: 60_000, ...extra } as RetellCall;
}

/** The table, row by row: reason → outcome, and whether someone (or something) picked up. */
const CONNECTION_ROWS: [string, string, 'HUMAN' | 'MACHINE' | null][] = [
  ['dial_no_answer', 'NO_ANSWER', null],
  ['dial_busy', 'BUSY', null],
  ['user_declined', 'BUSY', null],
  ['invalid_destination', 'INVALID_NUMBER', null],
  ['dial_failed', 'ISSUE_DIALING', null],
  ['telephony_provider_permission_denied', 'ISSUE_DIALING', null],
  ['telephony_provider_unavailable', 'ISSUE_DIALING', null],
  ['sip_routing_error', 'ISSUE_DIALING', null],
  ['marked_as_spam', 'ISSUE_DIALING', null],
  ['concurrency_limit_reached', 'ISSUE_DIALING', null],
  ['no_concurrency_fallback', 'ISSUE_DIALING', null],
  ['no_valid_payment', 'ISSUE_DIALING', null],
  ['scam_detected', 'ISSUE_DIALING', null],
  ['registered_call_timeout', 'TECHNICAL_ERROR', null],
  ['error_llm_websocket_open', 'TECHNICAL_ERROR', null],
  ['error_llm_websocket_lost_connection', 'TECHNICAL_ERROR', null],
  ['error_llm_websocket_runtime', 'TECHNICAL_ERROR', null],
  ['error_llm_websocket_corrupt_payload', 'TECHNICAL_ERROR', null],
  ['error_no_audio_received', 'TECHNICAL_ERROR', null],
  ['error_asr', 'TECHNICAL_ERROR', null],
  ['error_retell', 'TECHNICAL_ERROR', null],
  ['error_unknown', 'TECHNICAL_ERROR', null],
  ['error_user_not_joined', 'TECHNICAL_ERROR', null],
  ['user_hangup', 'USER_HUNG_UP', 'HUMAN'],
  ['agent_hangup', 'ANSWERED', 'HUMAN'],
  ['inactivity', 'ANSWERED', 'HUMAN'],
  ['max_duration_reached', 'ANSWERED', 'HUMAN'],
  ['transfer_cancelled', 'ANSWERED', 'HUMAN'],
  ['manual_stopped', 'ANSWERED', 'HUMAN'],
  ['call_transfer', 'TRANSFERRED', 'HUMAN'],
  ['transfer_bridged', 'TRANSFERRED', 'HUMAN'],
  ['call_take_over', 'TRANSFERRED', 'HUMAN'],
  ['voicemail_reached', 'NO_MESSAGE', 'MACHINE'],
  ['ivr_reached', 'NO_MESSAGE', 'MACHINE'],
];

describe('Retell outcome mapping (domain/retell-outcomes.ts)', () => {
  it('covers every disconnection reason of retell-sdk 5.66, each with a row below', () => {
    expect(new Set(CONNECTION_ROWS.map(([r]) => r))).toEqual(new Set(Object.keys(REASON_OUTCOMES)));
  });

  it.each(CONNECTION_ROWS)('%s → %s (answered by %s)', (reason, outcome, answeredBy) => {
    const verdict = retellOutcome(call(reason));
    expect(verdict).toMatchObject({ outcome, answeredBy, reason });
  });

  describe('business results come first', () => {
    it('meeting_booked in the analysis → MEETING_BOOKED, whatever the hang-up', () => {
      const v = retellOutcome(call('user_hangup', { call_analysis: { custom_analysis_data: { meeting_booked: true } } }));
      expect(v).toMatchObject({ outcome: 'MEETING_BOOKED', answeredBy: 'HUMAN' });
    });

    it('callback_requested → CALLBACK_REQUESTED with the time asked for', () => {
      const at = '2026-12-01T15:00:00.000Z';
      const v = retellOutcome(call('agent_hangup', { call_analysis: { custom_analysis_data: { callback_requested: 'yes', callback_at: at } } }));
      expect(v.outcome).toBe('CALLBACK_REQUESTED');
      expect(v.callbackAt?.toISOString()).toBe(at);
    });

    it('an unreadable callback time is no time (the retry policy picks one)', () => {
      const v = retellOutcome(call('agent_hangup', { call_analysis: { custom_analysis_data: { callback_requested: true, callback_at: 'tomorrow-ish' } } }));
      expect(v).toMatchObject({ outcome: 'CALLBACK_REQUESTED', callbackAt: null });
    });

    it('the keys are configurable', () => {
      const keys = { meetingBooked: 'booked', callbackRequested: 'cb', callbackAt: 'cb_at' };
      expect(retellOutcome(call('agent_hangup', { call_analysis: { custom_analysis_data: { booked: 'true' } } }), keys).outcome).toBe('MEETING_BOOKED');
      expect(retellOutcome(call('agent_hangup', { call_analysis: { custom_analysis_data: { meeting_booked: true } } }), keys).outcome).toBe('ANSWERED');
    });

    it('a meeting beats a transfer; a transfer beats the plain connection', () => {
      expect(retellOutcome(call('call_transfer', { call_analysis: { custom_analysis_data: { meeting_booked: 1 } } })).outcome).toBe('MEETING_BOOKED');
      expect(retellOutcome(call('call_transfer', { call_analysis: { custom_analysis_data: { meeting_booked: false } } })).outcome).toBe('TRANSFERRED');
    });

    it('an analysis cannot turn a call that never connected into a success', () => {
      expect(retellOutcome(call('dial_no_answer', { call_analysis: { custom_analysis_data: { meeting_booked: true } } })).outcome).toBe('NO_ANSWER');
    });
  });

  describe('voicemail', () => {
    it('the agent spoke into it → LEFT_MESSAGE (answered by a machine)', () => {
      const v = retellOutcome(call('voicemail_reached', { transcript: 'Agent: Hi Ana, call us back.\n' }));
      expect(v).toMatchObject({ outcome: 'LEFT_MESSAGE', answeredBy: 'MACHINE' });
    });

    it('transcript_object decides when present', () => {
      const spoke = retellOutcome(call('voicemail_reached', { transcript_object: [{ role: 'agent', content: 'Hello' }] }));
      const silent = retellOutcome(call('voicemail_reached', { transcript_object: [{ role: 'user', content: 'beep' }] }));
      expect([spoke.outcome, silent.outcome]).toEqual(['LEFT_MESSAGE', 'NO_MESSAGE']);
    });

    it('in_voicemail from the analysis counts as voicemail whatever the hang-up, and beats business keys', () => {
      const v = retellOutcome(
        call('agent_hangup', { transcript: 'Agent: Hello\n', call_analysis: { in_voicemail: true, custom_analysis_data: { meeting_booked: true } } }),
      );
      expect(v).toMatchObject({ outcome: 'LEFT_MESSAGE', answeredBy: 'MACHINE' });
    });
  });

  describe('reasons Retell may add later', () => {
    it('an unknown error_* is a technical error', () => {
      expect(retellOutcome(call('error_new_thing')).outcome).toBe('TECHNICAL_ERROR');
    });
    it('an unknown reason on a call that talked is ANSWERED; on one that did not connect, ISSUE_DIALING', () => {
      expect(retellOutcome(call('something_new')).outcome).toBe('ANSWERED');
      expect(retellOutcome(call('something_new', { call_status: 'not_connected' })).outcome).toBe('ISSUE_DIALING');
      expect(retellOutcome(call(null, { call_status: 'error' })).outcome).toBe('TECHNICAL_ERROR');
    });
  });
});
