/**
 * Which time zone(s) a recipient lives in — the zone(s) the calling window is judged in.
 *
 * The contact's own IANA zone when the upload gave a valid one; else the zone(s) of the phone
 * number: the longest prefix of the E.164 digits (country calling code, then area code or other
 * leading digits) found in data/phone-timezones.json; else the campaign's zone. A number that may
 * be in several zones (a mobile number of Russia or Mexico, an Australian number without an area
 * code, a NANP area code spanning a zone border) is callable only while the window is open in all
 * of them (calling-window.ts, eligibilityInZones).
 *
 * The table is Google libphonenumber's time-zone map (source and date inside the file; rebuilt by
 * scripts/phone-timezones.mjs). Pure: no I/O beyond the static import of that table.
 */
import table from './data/phone-timezones.json' with { type: 'json' };
import { isValidTimeZone } from './calling-window.ts';

export type TimezoneSource = 'CONTACT' | 'PHONE_NUMBER' | 'CAMPAIGN';

export interface RecipientZones {
  /** Every zone the recipient may be in, westernmost (lowest standard UTC offset) first. */
  zones: string[];
  source: TimezoneSource;
}

const PREFIXES = table.prefixes as Record<string, number[]>;
const LONGEST_PREFIX = Math.max(...Object.keys(PREFIXES).map((p) => p.length));
/** January 1st 2025: a fixed instant, so the order of zones does not change with DST. */
const STANDARD_TIME = Date.UTC(2025, 0, 1);

/** The zones a number may be in according to its prefix, westernmost first; null when the table says nothing. */
export function zonesOfNumber(e164: string): string[] | null {
  if (!/^\+\d{4,15}$/.test(e164)) return null;
  const digits = e164.slice(1);
  for (let length = Math.min(LONGEST_PREFIX, digits.length); length > 0; length--) {
    const found = PREFIXES[digits.slice(0, length)];
    if (found) {
      const zones = found.map((i) => table.zones[i]!).filter(isValidTimeZone);
      if (zones.length > 0) return sortWestToEast(zones);
    }
  }
  return null;
}

/** The recipient's zone(s) and where they came from. `campaignZone` is the last resort. */
export function recipientZones(contactZone: string | null | undefined, phoneNumber: string, campaignZone: string): RecipientZones {
  if (contactZone && isValidTimeZone(contactZone)) return { zones: [contactZone], source: 'CONTACT' };
  const fromNumber = zonesOfNumber(phoneNumber);
  if (fromNumber) return { zones: fromNumber, source: 'PHONE_NUMBER' };
  return { zones: [isValidTimeZone(campaignZone) ? campaignZone : 'UTC'], source: 'CAMPAIGN' };
}

const offsets = new Map<string, number>();

function standardOffsetMinutes(zone: string): number {
  let offset = offsets.get(zone);
  if (offset === undefined) {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(STANDARD_TIME);
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
    offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
    offsets.set(zone, offset);
  }
  return offset;
}

function sortWestToEast(zones: string[]): string[] {
  return [...new Set(zones)].sort((a, b) => standardOffsetMinutes(a) - standardOffsetMinutes(b) || a.localeCompare(b));
}
