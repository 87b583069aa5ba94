/**
 * The calling window for a recipient who may be in several time zones (recipient-zone.ts): a call
 * may be placed only while the window is open in every one of them, so nobody is woken up
 * whichever of the zones they actually live in.
 */
import { eligibility, formatClock, isWithinWindow, localDateTime, nextWindowStart, type CallingWindow, type Eligibility } from './calling-window.ts';
import type { RecipientZones } from './recipient-zone.ts';

/** Rounds of "the latest next opening" before giving up: each moves forward, 15 days of windows fit well within. */
const MAX_ROUNDS = 64;

/** eligibility() across zones: eligible when eligible in all; otherwise the first instant when it is, and why not now. */
export function eligibilityInZones(window: CallingWindow, zones: readonly string[], now: Date): Eligibility {
  if (zones.length === 1) return eligibility(window, zones[0]!, now);
  const closed = zones.find((zone) => !isWithinWindow(window, zone, now));
  if (!closed) return { eligible: true };
  const reason = (eligibility(window, closed, now) as { reason: string }).reason;
  return { eligible: false, nextEligibleAt: nextCommonOpening(window, zones, now), reason };
}

/** The first instant ≥ `after` at which the window is open in every zone, or null if there is none. */
export function nextCommonOpening(window: CallingWindow, zones: readonly string[], after: Date): Date | null {
  let at = after;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let latest = at;
    for (const zone of zones) {
      const opens = nextWindowStart(window, zone, at);
      if (!opens) return null;
      if (opens > latest) latest = opens;
    }
    if (zones.every((zone) => isWithinWindow(window, zone, latest))) return latest;
    // At `latest` some zone's window has closed again: look from there on (strictly later next round).
    at = latest.getTime() === at.getTime() ? new Date(at.getTime() + 60_000) : latest;
  }
  return null;
}

/** What a compliance officer needs to show that a dial was allowed, recorded with its attempt. */
export type DialEvidence = {
  recipientTimezone: string;
  recipientTimezones: string[];
  recipientLocalTime: string;
  callingWindow: { days: number[]; start: string; end: string; legalHours: boolean; timezoneSource: string };
};

export function dialEvidence(recipient: RecipientZones, window: CallingWindow, now: Date): DialEvidence {
  const clock = (minutes: number) => formatClock(minutes) ?? String(minutes);
  return {
    recipientTimezone: recipient.zones[0]!,
    recipientTimezones: recipient.zones,
    recipientLocalTime: localDateTime(recipient.zones[0]!, now),
    callingWindow: {
      days: [...window.days],
      start: clock(window.start),
      end: clock(window.end),
      legalHours: window.legalHours !== false,
      timezoneSource: recipient.source,
    },
  };
}

/**
 * When to call back someone who asked to be called at `requested`: then, if their calling window
 * is open in every zone they may be in; otherwise at its next opening (with why it moved).
 */
export function callbackSlot(window: CallingWindow, zones: readonly string[], requested: Date): { at: Date; movedBecause: string | null } {
  const e = eligibilityInZones(window, zones, requested);
  if (e.eligible) return { at: requested, movedBecause: null };
  // A window that never opens: look again in a day, as the claim does.
  return { at: e.nextEligibleAt ?? new Date(requested.getTime() + 24 * 3600_000), movedBecause: e.reason };
}
