/**
 * An emulated call's clock: what Retell's call object looks like at any moment, from its
 * creation time, its scenario and the timings alone (so get-call, list-calls and every webhook
 * snapshot agree).
 */
import type { Scenario } from './scenarios.ts';

export type Timings = {
  /** Registered → ongoing (connected) or → not_connected / error. */
  ringMs: number;
  /** Ongoing → ended. */
  talkMs: number;
  /** Ended → analysed (call_analysis present). */
  analysisMs: number;
};

export type EmulatedCall = {
  call_id: string;
  agent_id: string;
  from_number: string;
  to_number: string;
  metadata: { attempt_id: string; call_id: string | null } & Record<string, unknown>;
  dynamic: Record<string, string>;
  createdAt: number;
  scenario: Scenario;
  timings: Timings;
};

/** Talk time reported for a connected call: 30 s plus a second per 10 ms of emulated talk. */
function reportedDurationMs(call: EmulatedCall): number {
  return 30_000 + Math.round(call.timings.talkMs / 10) * 1000;
}

function transcriptOf(call: EmulatedCall): { transcript: string; transcript_object: { role: string; content: string }[] } {
  const name = call.dynamic.name ?? call.dynamic.firstName ?? 'there';
  const lines: { role: string; content: string }[] = [];
  if (call.scenario.agentSpeaks) lines.push({ role: 'agent', content: `Hi ${name}, this is your assistant calling about your appointment.` });
  if (call.scenario.connected && !call.scenario.inVoicemail) lines.push({ role: 'user', content: 'Sure, go ahead.' });
  return { transcript: lines.map((l) => `${l.role === 'agent' ? 'Agent' : 'User'}: ${l.content}\n`).join(''), transcript_object: lines };
}

export function callAt(call: EmulatedCall, now: number): Record<string, unknown> {
  const { scenario, timings, createdAt } = call;
  const base = {
    call_id: call.call_id,
    call_type: 'phone_call',
    direction: 'outbound',
    agent_id: call.agent_id,
    agent_version: 1,
    from_number: call.from_number,
    to_number: call.to_number,
    metadata: call.metadata,
    retell_llm_dynamic_variables: call.dynamic,
  };
  const elapsed = now - createdAt;
  if (elapsed < timings.ringMs) return { ...base, call_status: 'registered' };
  const startedAt = createdAt + timings.ringMs;
  if (!scenario.connected) {
    const ended = {
      ...base,
      call_status: scenario.finalStatus,
      disconnection_reason: scenario.disconnectionReason,
      start_timestamp: createdAt,
      end_timestamp: startedAt,
      duration_ms: 0,
      call_cost: { combined_cost: 0, product_costs: [], total_duration_seconds: 0, total_duration_unit_price: 0 },
    };
    if (elapsed < timings.ringMs + timings.analysisMs) return ended;
    return { ...ended, call_analysis: { call_successful: false, in_voicemail: false, call_summary: 'The call did not connect.', user_sentiment: 'Unknown' } };
  }
  if (elapsed < timings.ringMs + timings.talkMs) return { ...base, call_status: 'ongoing', start_timestamp: startedAt };
  const durationMs = reportedDurationMs(call);
  const ended = {
    ...base,
    call_status: 'ended',
    disconnection_reason: scenario.disconnectionReason,
    start_timestamp: startedAt,
    // Timestamps are real instants; duration_ms is the talk time of the compressed clock (like the simulator).
    end_timestamp: startedAt + timings.talkMs,
    duration_ms: durationMs,
    ...transcriptOf(call),
    recording_url: `https://retell-emulator.invalid/recordings/${call.call_id}.wav`,
    call_cost: {
      combined_cost: Math.round(durationMs / 600) / 10,
      product_costs: [],
      total_duration_seconds: durationMs / 1000,
      total_duration_unit_price: 0.1,
    },
  };
  if (elapsed < timings.ringMs + timings.talkMs + timings.analysisMs) return ended;
  return {
    ...ended,
    call_analysis: {
      call_summary: `Emulated ${scenario.name} call.`,
      call_successful: !scenario.inVoicemail,
      in_voicemail: scenario.inVoicemail ?? false,
      user_sentiment: 'Neutral',
      custom_analysis_data: scenario.customAnalysis?.(createdAt) ?? {},
    },
  };
}
