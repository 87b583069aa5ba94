// Property tests of the calling window (fast-check): every zone, every instant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPLIANCE_EARLIEST, COMPLIANCE_LATEST, effectiveWindow, eligibility, isWithinWindow, nextWindowStart } from '../src/domain/calling-window.ts';

const NY = 'America/New_York';
const LONDON = 'Europe/London';

describe('properties', () => {
  // Zones with odd offsets, half-hour DST (Lord Howe), DST at midnight (Santiago), southern DST.
  const zones = [
    NY,
    LONDON,
    'UTC',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'America/Santiago',
    'America/St_Johns',
    'Pacific/Chatham',
    'Asia/Tehran',
    'Pacific/Apia',
    'Asia/Tokyo',
  ];
  const windowArb = fc.record({
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    start: fc.integer({ min: 0, max: 1439 }),
    end: fc.integer({ min: 1, max: 1440 }),
  });
  const instantArb = fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true });

  it('nextWindowStart is ≥ after, inside the window, and nothing earlier is', () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom(...zones), instantArb, (window, tz, after) => {
        const next = nextWindowStart(window, tz, after);
        if (effectiveWindow(window) === null) return next === null;
        expect(next).not.toBeNull();
        expect(next!.getTime()).toBeGreaterThanOrEqual(after.getTime());
        expect(isWithinWindow(window, tz, next!)).toBe(true);
        if (next!.getTime() > after.getTime()) {
          // Windows open on minute boundaries: the minute before (or `after` itself) was closed,
          // and so was every half hour in between.
          expect(isWithinWindow(window, tz, new Date(Math.max(after.getTime(), next!.getTime() - 60_000)))).toBe(false);
          for (let t = after.getTime(); t < next!.getTime(); t += 30 * 60_000) {
            expect(isWithinWindow(window, tz, new Date(t))).toBe(false);
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('nothing is ever allowed outside 08:00–21:00 local', () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom(...zones), instantArb, (window, tz, instant) => {
        if (!isWithinWindow(window, tz, instant)) return true;
        const [h, m] = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .format(instant)
          .split(':')
          .map(Number);
        const minute = h * 60 + m;
        return minute >= COMPLIANCE_EARLIEST && minute < COMPLIANCE_LATEST;
      }),
      { numRuns: 1000 },
    );
  });

  it('eligibility agrees with isWithinWindow and nextWindowStart', () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom(...zones), instantArb, (window, tz, now) => {
        const e = eligibility(window, tz, now);
        if (e.eligible) return isWithinWindow(window, tz, now);
        return !isWithinWindow(window, tz, now) && e.nextEligibleAt?.getTime() === nextWindowStart(window, tz, now)?.getTime() && e.reason.length > 0;
      }),
      { numRuns: 300 },
    );
  });
});
