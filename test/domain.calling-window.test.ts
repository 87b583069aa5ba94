import fc from 'fast-check';
import { recipientZones } from '../src/domain/recipient-zone.ts';
import { describe, expect, it } from 'vitest';
import {
  COMPLIANCE_EARLIEST,
  COMPLIANCE_LATEST,
  CallingWindowSchema,
  canonicalTimeZone,
  effectiveWindow,
  eligibility,
  formatClock,
  isValidTimeZone,
  isWithinWindow,
  nextWindowStart,
  parseClock,
  type CallingWindow,
} from '../src/domain/calling-window.ts';

const WEEKDAYS = [1, 2, 3, 4, 5];
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const NY = 'America/New_York';
const LONDON = 'Europe/London';
const nineToEight: CallingWindow = { days: WEEKDAYS, start: 540, end: 1200 };
const at = (iso: string) => new Date(iso);

describe('parseClock / formatClock', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['9:30', 570],
    [' 20:00 ', 1200],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('parses %j as %d', (text, minutes) => {
    expect(parseClock(text)).toBe(minutes);
  });

  it.each(['', '9', '09:60', '24:01', '25:00', '-1:00', '09:5', '0930', '09:30:00', 'ab:cd', '09:30pm'])('rejects %j', (text) => {
    expect(parseClock(text)).toBeNull();
  });

  it.each([
    [0, '00:00'],
    [570, '09:30'],
    [1440, '24:00'],
  ])('formats %d as %s', (minutes, text) => {
    expect(formatClock(minutes)).toBe(text);
  });

  it.each([-1, 1441, 9.5, Number.NaN, Infinity])('refuses to format %d', (minutes) => {
    expect(formatClock(minutes)).toBeNull();
  });

  it('round-trips every minute of the day', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1440 }), (m) => parseClock(formatClock(m)!) === m));
  });
});

describe('time zones', () => {
  it('accepts IANA names and rejects the rest', () => {
    for (const tz of [NY, LONDON, 'UTC', 'Asia/Kathmandu', 'Australia/Lord_Howe']) expect(isValidTimeZone(tz)).toBe(true);
    for (const tz of ['', ' ', 'Mars/Olympus_Mons', 'New York', 'GMT+25', undefined, null, 42]) {
      expect(isValidTimeZone(tz)).toBe(false);
    }
  });

  it('canonicalises spelling', () => {
    expect(canonicalTimeZone('america/new_york')).toBe(NY);
    expect(canonicalTimeZone('nowhere')).toBeNull();
  });

  it("judges a call in the contact's zone, else the number's, else the campaign's", () => {
    expect(recipientZones('Asia/Tokyo', '+14155550100', NY)).toEqual({ zones: ['Asia/Tokyo'], source: 'CONTACT' });
    expect(recipientZones(null, '+14155550100', NY)).toEqual({ zones: ['America/Los_Angeles'], source: 'PHONE_NUMBER' });
    expect(recipientZones('', 'not a number', NY)).toEqual({ zones: [NY], source: 'CAMPAIGN' });
    expect(recipientZones('Not/AZone', 'not a number', NY)).toEqual({ zones: [NY], source: 'CAMPAIGN' });
  });
});

describe('isWithinWindow', () => {
  it('is [start, end) in local minutes', () => {
    // 2024-06-12 is a Wednesday; New York is UTC-4 in June.
    expect(isWithinWindow(nineToEight, NY, at('2024-06-12T12:59:59Z'))).toBe(false); // 08:59:59
    expect(isWithinWindow(nineToEight, NY, at('2024-06-12T13:00:00Z'))).toBe(true); // 09:00
    expect(isWithinWindow(nineToEight, NY, at('2024-06-12T23:59:59Z'))).toBe(true); // 19:59:59
    expect(isWithinWindow(nineToEight, NY, at('2024-06-13T00:00:00Z'))).toBe(false); // 20:00
  });

  it('honours weekdays in the recipient zone, not UTC', () => {
    // Friday 19:30 in New York is already Saturday in UTC and must count as Friday.
    expect(isWithinWindow(nineToEight, NY, at('2024-06-15T00:30:00Z'))).toBe(false); // Fri 20:30
    expect(isWithinWindow(nineToEight, NY, at('2024-06-14T23:30:00Z'))).toBe(true); // Fri 19:30
    expect(isWithinWindow(nineToEight, 'UTC', at('2024-06-15T10:00:00Z'))).toBe(false); // Sat
    expect(isWithinWindow(nineToEight, 'Asia/Tokyo', at('2024-06-16T23:00:00Z'))).toBe(false); // Mon 08:00
    expect(isWithinWindow(nineToEight, 'Asia/Tokyo', at('2024-06-17T00:00:00Z'))).toBe(true); // Mon 09:00 (Sun in UTC)
  });

  it('the same instant is allowed in one zone and not another', () => {
    const instant = at('2024-06-12T14:00:00Z');
    expect(isWithinWindow(nineToEight, LONDON, instant)).toBe(true); // 15:00
    expect(isWithinWindow(nineToEight, NY, instant)).toBe(true); // 10:00
    expect(isWithinWindow(nineToEight, 'Asia/Tokyo', instant)).toBe(false); // 23:00
    expect(isWithinWindow(nineToEight, 'America/Los_Angeles', instant)).toBe(false); // 07:00
  });

  it('clamps any configured window to 08:00–21:00 local', () => {
    const wide: CallingWindow = { days: ALL_DAYS, start: 0, end: 1440 };
    expect(effectiveWindow(wide)).toEqual({ days: ALL_DAYS, start: COMPLIANCE_EARLIEST, end: COMPLIANCE_LATEST });
    expect(isWithinWindow(wide, LONDON, at('2024-01-10T07:59:00Z'))).toBe(false);
    expect(isWithinWindow(wide, LONDON, at('2024-01-10T08:00:00Z'))).toBe(true);
    expect(isWithinWindow(wide, LONDON, at('2024-01-10T20:59:59Z'))).toBe(true);
    expect(isWithinWindow(wide, LONDON, at('2024-01-10T21:00:00Z'))).toBe(false);
    expect(isWithinWindow(wide, LONDON, at('2024-01-10T03:00:00Z'))).toBe(false);
  });

  it('is never open for an empty or fully non-compliant window', () => {
    expect(isWithinWindow({ days: [], start: 540, end: 1200 }, LONDON, at('2024-01-10T12:00:00Z'))).toBe(false);
    const night: CallingWindow = { days: ALL_DAYS, start: 1260, end: 1440 };
    expect(effectiveWindow(night)).toBeNull();
    expect(isWithinWindow(night, LONDON, at('2024-01-10T22:00:00Z'))).toBe(false);
  });
});

describe('DST transitions', () => {
  const everyDay: CallingWindow = { days: ALL_DAYS, start: 540, end: 1200 };

  it('New York spring forward (2024-03-10): 09:00 is 13:00Z after, 14:00Z the day before', () => {
    expect(nextWindowStart(everyDay, NY, at('2024-03-09T02:00:00Z'))).toEqual(at('2024-03-09T14:00:00Z'));
    expect(nextWindowStart(everyDay, NY, at('2024-03-10T01:00:00Z'))).toEqual(at('2024-03-10T13:00:00Z'));
    // 06:59Z is 01:59 EST, 07:00Z is 03:00 EDT: still closed, opens 09:00 EDT.
    expect(nextWindowStart(everyDay, NY, at('2024-03-10T07:00:00Z'))).toEqual(at('2024-03-10T13:00:00Z'));
    expect(isWithinWindow(everyDay, NY, at('2024-03-10T12:59:00Z'))).toBe(false);
    expect(isWithinWindow(everyDay, NY, at('2024-03-10T23:59:00Z'))).toBe(true); // 19:59 EDT
    expect(isWithinWindow(everyDay, NY, at('2024-03-11T00:00:00Z'))).toBe(false); // 20:00 EDT
  });

  it('New York fall back (2024-11-03): the repeated 01:00 hour does not confuse the next day', () => {
    expect(nextWindowStart(everyDay, NY, at('2024-11-03T05:30:00Z'))).toEqual(at('2024-11-03T14:00:00Z')); // 01:30 EDT
    expect(nextWindowStart(everyDay, NY, at('2024-11-03T06:30:00Z'))).toEqual(at('2024-11-03T14:00:00Z')); // 01:30 EST
    expect(isWithinWindow(everyDay, NY, at('2024-11-03T13:59:00Z'))).toBe(false); // 08:59 EST
    expect(isWithinWindow(everyDay, NY, at('2024-11-04T00:59:00Z'))).toBe(true); // 19:59 EST
    expect(isWithinWindow(everyDay, NY, at('2024-11-04T01:00:00Z'))).toBe(false); // 20:00 EST
  });

  it('London spring forward (2024-03-31) and fall back (2024-10-27)', () => {
    expect(nextWindowStart(everyDay, LONDON, at('2024-03-30T21:00:00Z'))).toEqual(at('2024-03-31T08:00:00Z')); // 09:00 BST
    expect(nextWindowStart(everyDay, LONDON, at('2024-03-31T01:30:00Z'))).toEqual(at('2024-03-31T08:00:00Z'));
    expect(nextWindowStart(everyDay, LONDON, at('2024-10-26T20:00:00Z'))).toEqual(at('2024-10-27T09:00:00Z')); // 09:00 GMT
    expect(nextWindowStart(everyDay, LONDON, at('2024-10-27T01:30:00Z'))).toEqual(at('2024-10-27T09:00:00Z'));
    expect(isWithinWindow(everyDay, LONDON, at('2024-10-27T08:30:00Z'))).toBe(false); // 08:30 GMT
  });

  it('a whole skipped local day (Samoa, 2011-12-30) is stepped over', () => {
    const fridays: CallingWindow = { days: [5], start: 540, end: 1200 };
    // Thursday 2011-12-29 23:00 local (UTC-10); Friday 30th never happened there.
    const next = nextWindowStart(fridays, 'Pacific/Apia', at('2011-12-30T09:00:00Z'));
    expect(next).toEqual(at('2012-01-05T19:00:00Z')); // Fri 2012-01-06 09:00 at UTC+14
    const friSat: CallingWindow = { days: [5, 6], start: 540, end: 1200 };
    expect(nextWindowStart(friSat, 'Pacific/Apia', at('2011-12-30T09:00:00Z'))).toEqual(at('2011-12-30T19:00:00Z'));
  });
});

describe('nextWindowStart', () => {
  it('returns `after` itself when calling is allowed then', () => {
    const now = at('2024-06-12T15:00:00.123Z');
    expect(nextWindowStart(nineToEight, NY, now)).toEqual(now);
  });

  it('later the same day, the next day, or after the weekend', () => {
    expect(nextWindowStart(nineToEight, NY, at('2024-06-12T10:00:00Z'))).toEqual(at('2024-06-12T13:00:00Z')); // Wed 06:00
    expect(nextWindowStart(nineToEight, NY, at('2024-06-13T01:00:00Z'))).toEqual(at('2024-06-13T13:00:00Z')); // Wed 21:00
    expect(nextWindowStart(nineToEight, NY, at('2024-06-15T00:30:00Z'))).toEqual(at('2024-06-17T13:00:00Z')); // Fri 20:30
    expect(nextWindowStart(nineToEight, NY, at('2024-06-16T20:00:00Z'))).toEqual(at('2024-06-17T13:00:00Z')); // Sun
  });

  it('weekend-only windows wait for Saturday', () => {
    const weekend: CallingWindow = { days: [6, 7], start: 600, end: 960 };
    expect(nextWindowStart(weekend, LONDON, at('2024-06-10T12:00:00Z'))).toEqual(at('2024-06-15T09:00:00Z'));
  });

  it('opens at 08:00 at the earliest even if configured earlier', () => {
    const early: CallingWindow = { days: ALL_DAYS, start: 360, end: 600 };
    expect(nextWindowStart(early, LONDON, at('2024-01-10T05:00:00Z'))).toEqual(at('2024-01-10T08:00:00Z'));
  });

  it('is null when the window can never open', () => {
    expect(nextWindowStart({ days: [], start: 540, end: 1200 }, NY, at('2024-06-12T12:00:00Z'))).toBeNull();
    expect(nextWindowStart({ days: ALL_DAYS, start: 1260, end: 1380 }, NY, at('2024-06-12T12:00:00Z'))).toBeNull();
    expect(nextWindowStart({ days: ALL_DAYS, start: 0, end: 480 }, NY, at('2024-06-12T12:00:00Z'))).toBeNull();
    expect(nextWindowStart({ days: [8], start: 540, end: 1200 }, NY, at('2024-06-12T12:00:00Z'))).toBeNull();
  });

  it('throws on an unknown zone rather than guessing one', () => {
    expect(() => nextWindowStart(nineToEight, 'Nowhere/Land', at('2024-06-12T12:00:00Z'))).toThrow(RangeError);
  });
});

describe('eligibility', () => {
  it('says yes inside the window', () => {
    expect(eligibility(nineToEight, NY, at('2024-06-12T15:00:00Z'))).toEqual({ eligible: true });
  });

  it('explains hours outside the window with the effective hours', () => {
    expect(eligibility(nineToEight, NY, at('2024-06-12T12:00:00Z'))).toEqual({
      eligible: false,
      nextEligibleAt: at('2024-06-12T13:00:00Z'),
      reason: 'outside calling hours in America/New_York (09:00–20:00)',
    });
  });

  it('explains non-calling days', () => {
    const result = eligibility(nineToEight, LONDON, at('2024-06-15T12:00:00Z'));
    expect(result).toEqual({
      eligible: false,
      nextEligibleAt: at('2024-06-17T08:00:00Z'),
      reason: 'Saturday is not a calling day in Europe/London (Mon, Tue, Wed, Thu, Fri)',
    });
  });

  it('blames the legal hours when the configured window would have allowed the call', () => {
    const late: CallingWindow = { days: ALL_DAYS, start: 540, end: 1380 };
    const result = eligibility(late, LONDON, at('2024-01-10T21:30:00Z'));
    expect(result).toMatchObject({ eligible: false, reason: 'outside the legal calling hours in Europe/London (08:00–21:00)' });
    expect(result.eligible === false && result.nextEligibleAt).toEqual(at('2024-01-11T09:00:00Z'));
  });

  it('reports windows that can never open with a null nextEligibleAt', () => {
    expect(eligibility({ days: [], start: 540, end: 1200 }, NY, at('2024-06-12T12:00:00Z'))).toEqual({
      eligible: false,
      nextEligibleAt: null,
      reason: 'the calling window has no calling days',
    });
    expect(eligibility({ days: WEEKDAYS, start: 1290, end: 1380 }, NY, at('2024-06-12T12:00:00Z'))).toEqual({
      eligible: false,
      nextEligibleAt: null,
      reason: 'the calling window 21:30–23:00 lies outside the legal calling hours 08:00–21:00',
    });
  });
});

describe('CallingWindowSchema', () => {
  it('accepts a sane window', () => {
    expect(CallingWindowSchema.safeParse({ days: [1, 2, 3], start: 540, end: 1200 }).success).toBe(true);
    expect(CallingWindowSchema.safeParse({ days: [7], start: 0, end: 1440 }).success).toBe(true);
  });

  it.each([
    [{ days: [], start: 540, end: 1200 }],
    [{ days: [0], start: 540, end: 1200 }],
    [{ days: [8], start: 540, end: 1200 }],
    [{ days: [1, 1], start: 540, end: 1200 }],
    [{ days: [1], start: 1200, end: 540 }],
    [{ days: [1], start: 600, end: 600 }],
    [{ days: [1], start: -1, end: 600 }],
    [{ days: [1], start: 0, end: 1441 }],
    [{ days: [1], start: 9.5, end: 600 }],
  ])('rejects %j', (window) => {
    expect(CallingWindowSchema.safeParse(window).success).toBe(false);
  });
});
