// "AI interaction data" of the simulator: a short transcript and a one-line summary per dial,
// written from the agent's script and the contact's variables.
import type { AnsweredBy, DialRequest, TelephonyStatus } from '../provider.ts';
import type { AttemptOutcome } from '../../domain/retry-policy.ts';
import type { LedgerEntry } from './simulator-ledger.ts';

/** What the simulator drew for one dial: its outcome, timings and a PRNG for the conversation. */
export type Plan = { outcome: AttemptOutcome; ringSeconds: number; talkSeconds: number; rng: () => number };

/** The error a failed dial reports (also the attempt's errorMessage). */
export const ERRORS: Partial<Record<AttemptOutcome, string>> = {
  ISSUE_DIALING: 'carrier rejected the call (SIP 503 Service Unavailable)',
  TECHNICAL_ERROR: 'media stream dropped before the call connected (simulated provider fault)',
  INVALID_NUMBER: 'number not in service (SIP 404 Not Found)',
};

export function persona(request: DialRequest): Pick<LedgerEntry, 'agent' | 'opener' | 'contact'> {
  const v = request.variables ?? {};
  const contact = ['name', 'firstName', 'first_name', 'contactName', 'contact_name']
    .map((k) => v[k])
    .find((x): x is string | number => (typeof x === 'string' && x.trim() !== '') || typeof x === 'number');
  return {
    agent: request.agent.name.trim() || 'your assistant',
    opener: openerOf(request.agent.script, v),
    contact: contact === undefined ? null : String(contact).trim(),
  };
}

/** The first sentence of the script that is something to *say* (prompts often start with
 * instructions such as "You are Ava…"), with {{var}} / {var} filled from the contact's columns. */
function openerOf(scriptText: string, variables: Record<string, unknown>): string {
  const filled = scriptText.replace(/\{\{\s*([\w.-]+)\s*\}\}|\{([\w.-]+)\}/g, (m, a?: string, b?: string) => {
    const value = variables[(a ?? b)!];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : m;
  });
  const sentence = filled
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .find((s) => s && !/^(you are|you're|your (role|task|goal)|act as|as an? |do not|don't|never|always)\b/i.test(s));
  if (!sentence) return "I'm calling with a quick question.";
  return sentence.length > 160 ? `${sentence.slice(0, 159)}…` : sentence;
}

export function script(plan: Plan, e: LedgerEntry): { transcript: string | null; summary: string } {
  const who = e.contact ?? 'the contact';
  const pick = <T>(xs: T[]) => xs[Math.floor(plan.rng() * xs.length)];
  const agent = (text: string) => `${e.agent}: ${text}`;
  const contact = (text: string) => `${e.contact ?? 'Contact'}: ${text}`;
  const hello = agent(`Hi${e.contact ? ` ${e.contact}` : ''}, this is ${e.agent}. ${e.opener}`);
  const lines = (...xs: string[]) => xs.join('\n');
  const talk = `${plan.talkSeconds}s`;
  switch (plan.outcome) {
    case 'ANSWERED':
      return {
        transcript: lines(
          hello,
          contact(pick(['Sure, go ahead.', 'Okay, what is this about?'])),
          agent('Thanks! Here is the short version of why I called.'),
          contact(pick(['Got it, thanks for letting me know.', 'Sounds good, send me the details.'])),
          agent('Will do. Have a great day!'),
        ),
        summary: `Spoke with ${who} for ${talk}; conversation completed.`,
      };
    case 'MEETING_BOOKED': {
      const slot = pick(['Tuesday at 10:00', 'Wednesday at 14:30', 'Thursday at 11:00']);
      return {
        transcript: lines(
          hello,
          contact('That sounds interesting, tell me more.'),
          agent(`Could we set up a short meeting, say ${slot}?`),
          contact('Yes, that works.'),
          agent('Booked — you will get an invitation shortly. Goodbye!'),
        ),
        summary: `Spoke with ${who}; meeting booked for ${slot}.`,
      };
    }
    case 'CALLBACK_REQUESTED': {
      const when = pick(['tomorrow morning', 'later this afternoon', 'next week']);
      return {
        transcript: lines(hello, contact(`I can't talk right now, could you call me back ${when}?`), agent(`Of course, I'll call you back ${when}.`)),
        summary: `${who} asked to be called back ${when}.`,
      };
    }
    case 'TRANSFERRED':
      return {
        transcript: lines(hello, contact('I would rather speak to a person about this.'), agent('No problem, transferring you to a colleague now.')),
        summary: `${who} asked for a person; call transferred.`,
      };
    case 'USER_HUNG_UP':
      return {
        transcript: lines(hello, contact(pick(['Not interested.', 'Please stop calling.', 'Sorry, wrong time.'])), '[contact hung up]'),
        summary: `${who} hung up after ${talk}.`,
      };
    case 'LEFT_MESSAGE':
      return {
        transcript: lines('[voicemail greeting]', `${hello} Please call us back when you can. Thanks!`),
        summary: `Reached voicemail; left a message for ${who}.`,
      };
    case 'NO_MESSAGE':
      return { transcript: lines('[voicemail greeting]', '[no message left]'), summary: 'Reached voicemail; no message left.' };
    case 'NO_ANSWER':
      return { transcript: null, summary: `No answer after ${plan.ringSeconds}s of ringing.` };
    case 'BUSY':
      return { transcript: null, summary: 'Line busy.' };
    default:
      return { transcript: null, summary: `Call failed: ${ERRORS[plan.outcome]}.` };
  }
}

/** The telephony status a provider would report for each outcome. */
export const TELEPHONY: Record<AttemptOutcome, TelephonyStatus> = {
  ANSWERED: 'COMPLETED',
  MEETING_BOOKED: 'COMPLETED',
  CALLBACK_REQUESTED: 'COMPLETED',
  TRANSFERRED: 'COMPLETED',
  USER_HUNG_UP: 'COMPLETED',
  LEFT_MESSAGE: 'COMPLETED',
  NO_MESSAGE: 'COMPLETED',
  NO_ANSWER: 'NO_ANSWER',
  BUSY: 'BUSY',
  ISSUE_DIALING: 'FAILED',
  TECHNICAL_ERROR: 'FAILED',
  INVALID_NUMBER: 'FAILED',
};

export function answeredByOf(outcome: AttemptOutcome): AnsweredBy | null {
  if (outcome === 'LEFT_MESSAGE' || outcome === 'NO_MESSAGE') return 'MACHINE';
  return TELEPHONY[outcome] === 'COMPLETED' ? 'HUMAN' : null;
}
