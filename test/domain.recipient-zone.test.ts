import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import table from '../src/domain/data/phone-timezones.json' with { type: 'json' };
import { isWithinWindow, localDateTime, type CallingWindow } from '../src/domain/calling-window.ts';
import { notDialableReason } from '../src/domain/phone.ts';
import { recipientZones, zonesOfNumber } from '../src/domain/recipient-zone.ts';
import { eligibilityInZones, nextCommonOpening } from '../src/domain/recipient-window.ts';

const NY = 'America/New_York';
const EVERY_DAY_ALL_DAY: CallingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: 0, end: 1440 };
const localHour = (zone: string, at: Date) => Number(localDateTime(zone, at).slice(11, 13)) + Number(localDateTime(zone, at).slice(14, 16)) / 60;

describe('zones of a phone number', () => {
  // The cities: a New York campaign whose contacts have no zone of their own.
  it.each([
    ['+14155552671', 'San Francisco', ['America/Los_Angeles']],
    ['+18085550123', 'Honolulu', ['Pacific/Honolulu']],
    ['+19075550123', 'Anchorage (907 also covers the Aleutians)', ['America/Adak', 'America/Anchorage']],
    ['+81312345678', 'Tokyo', ['Asia/Tokyo']],
    ['+61212345678', 'Sydney', ['Australia/Sydney']],
    ['+442079460958', 'London', ['Europe/London']],
    ['+12125550199', 'New York', ['America/New_York']],
  ])('%s (%s) → %j', (number, _city, zones) => {
    expect(recipientZones(null, number, NY)).toEqual({ zones, source: 'PHONE_NUMBER' });
  });

  it('a number of a multi-zone country without a finer prefix may be in all its zones, westernmost first', () => {
    // A Mexican mobile number (+52 1…) says nothing about where in Mexico its owner lives.
    const mexico = zonesOfNumber('+5215512345678')!;
    expect(mexico.length).toBeGreaterThan(1);
    expect(mexico[0]).toBe('America/Tijuana'); // west to east, not alphabetical
    expect(mexico.indexOf('America/Mexico_City')).toBeLessThan(mexico.indexOf('America/Cancun'));
  });

  it('the contact’s own valid zone wins; a number the table does not know falls back to the campaign', () => {
    expect(recipientZones('Asia/Tokyo', '+14155552671', NY)).toEqual({ zones: ['Asia/Tokyo'], source: 'CONTACT' });
    expect(recipientZones('Not/AZone', '+14155552671', NY).source).toBe('PHONE_NUMBER');
    expect(recipientZones(null, '+999123456', NY)).toEqual({ zones: [NY], source: 'CAMPAIGN' });
    expect(recipientZones(null, 'invalid', 'Not/AZone')).toEqual({ zones: ['UTC'], source: 'CAMPAIGN' });
  });

  it('every zone in the table is one the runtime knows, and the table says where it comes from', () => {
    expect(table.source).toMatch(/libphonenumber/);
    expect(table.generated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const zone of table.zones) expect(() => new Intl.DateTimeFormat('en-US', { timeZone: zone })).not.toThrow();
  });
});

describe('the cities of the finding, at 13:00 UTC', () => {
  // 13:00 UTC: 08:00 in New York in winter — and 05:00 in San Francisco, 03:00 in Honolulu,
  // 22:00 in Tokyo, 00:00 in Sydney. Judged by the number, each either may be called now (its
  // local time is inside 08:00–21:00) or waits until a time that is.
  const instant = new Date('2026-01-14T13:00:00Z');
  it.each(['+14155552671', '+18085550123', '+19075550123', '+81312345678', '+61212345678', '+442079460958', '+12125550199'])(
    '%s gets a local time inside 08:00–21:00',
    (number) => {
      const { zones } = recipientZones(null, number, NY);
      const e = eligibilityInZones(EVERY_DAY_ALL_DAY, zones, instant);
      const when = e.eligible ? instant : e.nextEligibleAt!;
      expect(when).not.toBeNull();
      for (const zone of zones) {
        const hour = localHour(zone, when);
        expect(hour).toBeGreaterThanOrEqual(8);
        expect(hour).toBeLessThan(21);
      }
      if (!e.eligible) expect(e.reason).toContain(zones.find((z) => !isWithinWindow(EVERY_DAY_ALL_DAY, z, instant)));
    },
  );
});

describe('properties: no claim outside the window in any of the number’s possible zones', () => {
  const prefixes = Object.keys(table.prefixes);
  // Random numbers from every country of the table: a prefix, then random digits.
  const numberArb = fc.tuple(fc.constantFrom(...prefixes), fc.stringMatching(/^\d{4,8}$/)).map(([prefix, rest]) => `+${(prefix + rest).slice(0, 15)}`);
  const windowArb = fc.record({
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    start: fc.integer({ min: 0, max: 1439 }),
    end: fc.integer({ min: 1, max: 1440 }),
  });
  // Instants anywhere, and instants on the DST change days of both hemispheres.
  const dstDays = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'];
  const instantArb = fc.oneof(
    fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
    fc
      .tuple(fc.constantFrom(...dstDays), fc.integer({ min: 0, max: 48 * 60 - 1 }))
      .map(([day, minute]) => new Date(Date.parse(`${day}T00:00:00Z`) - 12 * 3600_000 + minute * 60_000)),
  );

  it('eligible ⇒ inside the window (and 08:00–21:00) in every zone', () => {
    fc.assert(
      fc.property(numberArb, windowArb, instantArb, (number, window, now) => {
        const { zones } = recipientZones(null, number, NY);
        if (!eligibilityInZones(window, zones, now).eligible) return;
        for (const zone of zones) {
          expect(isWithinWindow(window, zone, now)).toBe(true);
          const hour = localHour(zone, now);
          expect(hour >= 8 && hour < 21).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the next time it is eligible is inside the window in every zone, and not in the past', () => {
    fc.assert(
      fc.property(numberArb, windowArb, instantArb, (number, window, now) => {
        const { zones } = recipientZones(null, number, NY);
        const next = nextCommonOpening(window, zones, now);
        if (!next) return;
        expect(next.getTime()).toBeGreaterThanOrEqual(now.getTime());
        for (const zone of zones) expect(isWithinWindow(window, zone, next)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('numbers that are never dialed', () => {
  it('premium-rate and shared-cost numbers have a reason; ordinary ones none', () => {
    expect(notDialableReason('+19005550123')).toMatch(/premium-rate/);
    expect(notDialableReason('+448456660000')).toMatch(/premium-rate/);
    expect(notDialableReason('+33810123456')).toMatch(/shared-cost/);
    expect(notDialableReason('+14155552671')).toBeNull();
  });
});
