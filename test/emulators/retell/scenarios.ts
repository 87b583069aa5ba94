/**
 * How each emulated call ends, chosen by its destination number: the last two digits (00–99)
 * index SCENARIO_TABLE, so consecutive numbers walk through every scenario and a demo list of a
 * hundred numbers shows them all. `forceScenarios` in the emulator's options overrides by number.
 */

export type Scenario = {
  name: string;
  /** What callboard should report (the README's outcome table; checked by the tests). */
  expected: string;
  /** Connected calls go registered → ongoing → ended; the others straight to their final status. */
  connected: boolean;
  finalStatus: 'ended' | 'not_connected' | 'error';
  disconnectionReason: string;
  inVoicemail?: boolean;
  /** Whether the agent spoke (voicemail: left a message). */
  agentSpeaks?: boolean;
  customAnalysis?: (now: number) => Record<string, unknown>;
};

const HOUR = 3_600_000;

export const SCENARIOS: Record<string, Scenario> = {
  answered: { name: 'answered', expected: 'ANSWERED', connected: true, finalStatus: 'ended', disconnectionReason: 'agent_hangup', agentSpeaks: true },
  meeting: {
    name: 'meeting',
    expected: 'MEETING_BOOKED',
    connected: true,
    finalStatus: 'ended',
    disconnectionReason: 'agent_hangup',
    agentSpeaks: true,
    customAnalysis: () => ({ meeting_booked: true }),
  },
  callback: {
    name: 'callback',
    expected: 'CALLBACK_REQUESTED',
    connected: true,
    finalStatus: 'ended',
    disconnectionReason: 'user_hangup',
    agentSpeaks: true,
    customAnalysis: (now) => ({ callback_requested: 'yes', callback_at: new Date(now + 2 * HOUR).toISOString() }),
  },
  transfer: { name: 'transfer', expected: 'TRANSFERRED', connected: true, finalStatus: 'ended', disconnectionReason: 'call_transfer', agentSpeaks: true },
  hangup: { name: 'hangup', expected: 'USER_HUNG_UP', connected: true, finalStatus: 'ended', disconnectionReason: 'user_hangup', agentSpeaks: true },
  voicemailMessage: {
    name: 'voicemailMessage',
    expected: 'LEFT_MESSAGE',
    connected: true,
    finalStatus: 'ended',
    disconnectionReason: 'voicemail_reached',
    inVoicemail: true,
    agentSpeaks: true,
  },
  voicemailSilent: {
    name: 'voicemailSilent',
    expected: 'NO_MESSAGE',
    connected: true,
    finalStatus: 'ended',
    disconnectionReason: 'voicemail_reached',
    inVoicemail: true,
    agentSpeaks: false,
  },
  noAnswer: { name: 'noAnswer', expected: 'NO_ANSWER', connected: false, finalStatus: 'not_connected', disconnectionReason: 'dial_no_answer' },
  busy: { name: 'busy', expected: 'BUSY', connected: false, finalStatus: 'not_connected', disconnectionReason: 'dial_busy' },
  dialFailed: { name: 'dialFailed', expected: 'ISSUE_DIALING', connected: false, finalStatus: 'not_connected', disconnectionReason: 'dial_failed' },
  error: { name: 'error', expected: 'TECHNICAL_ERROR', connected: false, finalStatus: 'error', disconnectionReason: 'error_llm_websocket_open' },
  invalid: { name: 'invalid', expected: 'INVALID_NUMBER', connected: false, finalStatus: 'not_connected', disconnectionReason: 'invalid_destination' },
};

/** [scenario, how many of the hundred last-two-digit values it gets]: mostly conversations. */
const WEIGHTS: [keyof typeof SCENARIOS, number][] = [
  ['answered', 18],
  ['meeting', 10],
  ['callback', 8],
  ['transfer', 6],
  ['hangup', 10],
  ['voicemailMessage', 8],
  ['voicemailSilent', 7],
  ['noAnswer', 12],
  ['busy', 8],
  ['dialFailed', 5],
  ['error', 3],
  ['invalid', 5],
];

/** Index: the last two digits. Interleaved, so that any run of consecutive numbers mixes scenarios. */
export const SCENARIO_TABLE: Scenario[] = (() => {
  const table: Scenario[] = [];
  const left = new Map(WEIGHTS);
  while (table.length < 100) {
    for (const [name] of WEIGHTS) {
      const n = left.get(name)!;
      if (n > 0 && table.length < 100) {
        table.push(SCENARIOS[name]!);
        left.set(name, n - 1);
      }
    }
  }
  return table;
})();

export function scenarioOf(toNumber: string, forced: Record<string, string> = {}): Scenario {
  const name = forced[toNumber];
  if (name) {
    const s = SCENARIOS[name];
    if (!s) throw new Error(`unknown emulator scenario: ${name}`);
    return s;
  }
  return SCENARIO_TABLE[Number(toNumber.slice(-2)) % 100]!;
}
