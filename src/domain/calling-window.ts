/**
 * Calling windows: when a contact may be called, in the *recipient's* local time.
 *
 * A window is ISO weekdays plus [start, end) in minutes after local midnight. Whatever a campaign
 * configures, calls are clamped to 08:00–21:00 local (the TCPA-style hours most regulators use):
 * a misconfigured window must never wake anyone up, so the clamp lives here and not in the UI.
 *
 * Time-zone arithmetic uses only `Intl` (no tz database shipped with the app, the runtime's ICU is
 * the one the OS keeps current). Pure: no clock reads, every function takes the instant it judges.
 */
import { z } from 'zod';

export type CallingWindow = {
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** Minutes after local midnight, inclusive. */
  start: number;
  /** Minutes after local midnight, exclusive (1440 = until midnight). */
  end: number;
  /** Clamp to 08:00–21:00 local (the default). False only for a campaign that explicitly opts out. */
  legalHours?: boolean;
};

/** 08:00 — no call starts earlier in the recipient's zone, whatever the campaign says. */
export const COMPLIANCE_EARLIEST = 480;
/** 21:00 — no call starts at or after this local time. */
export const COMPLIANCE_LATEST = 1260;

const MINUTES_PER_DAY = 1440;
const MINUTE_MS = 60_000;

/** Weekdays as the API names them, in ISO order: WEEKDAYS[d - 1] is ISO weekday d. */
export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const DAY_NAMES = WEEKDAYS.map((d) => d[0] + d.slice(1).toLowerCase());

/** Validates a window supplied by a client (campaign settings). Overnight windows are refused:
 * the compliance clamp would cut them into two pieces nobody asked for. */
export const CallingWindowSchema = z
  .object({
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1, 'at least one calling day is required')
      .refine((d) => new Set(d).size === d.length, 'calling days must not repeat'),
    start: z.number().int().min(0).max(MINUTES_PER_DAY),
    end: z.number().int().min(0).max(MINUTES_PER_DAY),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });

/** "09:30" → 570; "24:00" → 1440 (a window may run to midnight); null for anything else. */
export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (minutes > 59) return null;
  if (hours === 24 && minutes === 0) return MINUTES_PER_DAY;
  if (hours > 23) return null;
  return hours * 60 + minutes;
}

/** 570 → "09:30"; null unless an integer in 0..1440. */
export function formatClock(minutes: number): string | null {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MINUTES_PER_DAY) return null;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23: some ICU versions print midnight as "24" with hour12:false.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** IANA zone names the runtime knows ("America/New_York", "UTC"); false for anything else. */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The runtime's canonical spelling ("america/new_york" → "America/New_York"), or null. */
export function canonicalTimeZone(timeZone: string): string | null {
  return isValidTimeZone(timeZone) ? formatterFor(timeZone).resolvedOptions().timeZone : null;
}

type Local = { year: number; month: number; day: number; minuteOfDay: number; weekday: number; wallMs: number };

/** Wall-clock reading of `epochMs` in `timeZone`. `wallMs` is that reading encoded as if UTC. */
function localAt(timeZone: string, epochMs: number): Local {
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wallMs = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    minuteOfDay: p.hour * 60 + p.minute,
    weekday: isoWeekday(Date.UTC(p.year, p.month - 1, p.day)),
    wallMs,
  };
}

/** The wall-clock time in `timeZone` at `at`, as an ISO local date-time ("2026-11-30T09:15:00"). */
export function localDateTime(timeZone: string, at: Date): string {
  return new Date(localAt(timeZone, at.getTime()).wallMs).toISOString().slice(0, 19);
}

function isoWeekday(utcMidnightMs: number): number {
  return ((new Date(utcMidnightMs).getUTCDay() + 6) % 7) + 1;
}

/** Minutes east of UTC in effect at `epochMs` (rounded: pre-1900 LMT offsets carry seconds). */
function offsetMinutes(timeZone: string, epochMs: number): number {
  const flooredToSecond = Math.floor(epochMs / 1000) * 1000;
  return Math.round((localAt(timeZone, epochMs).wallMs - flooredToSecond) / MINUTE_MS);
}

/**
 * The instants at which the local clock first reads ≥ `wallMs`, ascending. Usually one; two when
 * the clocks fall back over it; in a spring-forward gap, the transition instant (the first moment
 * the local clock shows a later time).
 */
function instantsAtWall(timeZone: string, wallMs: number): number[] {
  // Offsets a day either side bracket any transition near the target; zones don't change twice
  // within 48 h.
  const offsets = new Set([offsetMinutes(timeZone, wallMs - 86_400_000), offsetMinutes(timeZone, wallMs + 86_400_000)]);
  const exact: number[] = [];
  for (const o of offsets) {
    const t = wallMs - o * MINUTE_MS;
    if (offsetMinutes(timeZone, t) === o) exact.push(t);
  }
  if (exact.length > 0) return exact.sort((a, b) => a - b);
  // Gap: find the first minute whose wall reading reaches the target (monotonic across a gap).
  const candidates = [...offsets].map((o) => wallMs - o * MINUTE_MS);
  let lo = Math.floor(Math.min(...candidates) / MINUTE_MS);
  let hi = Math.ceil(Math.max(...candidates) / MINUTE_MS);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (localAt(timeZone, mid * MINUTE_MS).wallMs >= wallMs) hi = mid;
    else lo = mid + 1;
  }
  return [lo * MINUTE_MS];
}

/** The window actually enforced: the configured one intersected with 08:00–21:00 (unless the
 * campaign opted out), or null if nothing is left (e.g. 21:00–23:00) or no day is allowed. */
export function effectiveWindow(window: CallingWindow): CallingWindow | null {
  const clamp = window.legalHours !== false;
  const start = clamp ? Math.max(window.start, COMPLIANCE_EARLIEST) : Math.max(window.start, 0);
  const end = clamp ? Math.min(window.end, COMPLIANCE_LATEST) : Math.min(window.end, MINUTES_PER_DAY);
  const days = window.days.filter((d) => Number.isInteger(d) && d >= 1 && d <= 7);
  if (start >= end || days.length === 0) return null;
  return { days, start, end, legalHours: window.legalHours };
}

/** Whether a call may be placed at `at` to someone living in `timeZone`. Minute resolution:
 * 20:59:59 is inside a window ending at 21:00. Throws RangeError for an unknown zone. */
export function isWithinWindow(window: CallingWindow, timeZone: string, at: Date): boolean {
  const eff = effectiveWindow(window);
  if (!eff) return false;
  const local = localAt(timeZone, at.getTime());
  return eff.days.includes(local.weekday) && local.minuteOfDay >= eff.start && local.minuteOfDay < eff.end;
}

/**
 * The first instant ≥ `after` at which `isWithinWindow` holds, or null when never (no days, or
 * the window lies wholly outside the compliance hours). A window start that falls into a DST gap
 * opens when the clocks jump; one that occurs twice (fall back) opens at the first occurrence.
 */
export function nextWindowStart(window: CallingWindow, timeZone: string, after: Date): Date | null {
  const eff = effectiveWindow(window);
  if (!eff) return null;
  if (isWithinWindow(eff, timeZone, after)) return new Date(after.getTime());
  const today = localAt(timeZone, after.getTime());
  // 15 days: a full week of candidates even if one local date is skipped (Samoa, 2011-12-30).
  for (let k = 0; k < 15; k++) {
    const dateMs = Date.UTC(today.year, today.month - 1, today.day + k);
    if (!eff.days.includes(isoWeekday(dateMs))) continue;
    const opens = instantsAtWall(timeZone, dateMs + eff.start * MINUTE_MS).find((t) => t >= after.getTime());
    if (opens === undefined) continue; // today's window is already over
    if (isWithinWindow(eff, timeZone, new Date(opens))) return new Date(opens);
  }
  return null;
}

export type Eligibility =
  | { eligible: true }
  /** nextEligibleAt is null when the window can never open (see nextWindowStart). */
  | { eligible: false; nextEligibleAt: Date | null; reason: string };

/** Whether a call may be placed now and, if not, when and why not — what a pending call shows. */
export function eligibility(window: CallingWindow, timeZone: string, now: Date): Eligibility {
  if (isWithinWindow(window, timeZone, now)) return { eligible: true };
  const nextEligibleAt = nextWindowStart(window, timeZone, now);
  return { eligible: false, nextEligibleAt, reason: explain(window, timeZone, now) };
}

function explain(window: CallingWindow, timeZone: string, now: Date): string {
  const legal = `${formatClock(COMPLIANCE_EARLIEST)}–${formatClock(COMPLIANCE_LATEST)}`;
  const eff = effectiveWindow(window);
  if (window.days.length === 0) return 'the calling window has no calling days';
  if (!eff) {
    return `the calling window ${clock(window.start)}–${clock(window.end)} lies outside the legal calling hours ${legal}`;
  }
  const local = localAt(timeZone, now.getTime());
  if (!eff.days.includes(local.weekday)) {
    const allowed = [...eff.days].sort((a, b) => a - b).map((d) => DAY_NAMES[d - 1].slice(0, 3));
    return `${DAY_NAMES[local.weekday - 1]} is not a calling day in ${timeZone} (${allowed.join(', ')})`;
  }
  const inConfigured = local.minuteOfDay >= window.start && local.minuteOfDay < window.end;
  if (inConfigured) return `outside the legal calling hours in ${timeZone} (${legal})`;
  return `outside calling hours in ${timeZone} (${clock(eff.start)}–${clock(eff.end)})`;
}

function clock(minutes: number): string {
  return formatClock(minutes) ?? String(minutes);
}
