import { parsePhoneNumberWithError, type CountryCode, isSupportedCountry } from 'libphonenumber-js/max';
import { ValidationError } from './errors.ts';

/** `notDialable`: why a valid number is still never dialed (premium-rate…), or null. */
export type PhoneResult = { ok: true; e164: string; notDialable: string | null } | { ok: false; reason: string };

/** The defaultCountry of an upload, checked: undefined when none is given; ValidationError for an unknown code. */
export function parseCountry(defaultCountry: string | null | undefined): CountryCode | undefined {
  if (defaultCountry == null || defaultCountry.trim() === '') return undefined;
  const code = defaultCountry.trim().toUpperCase();
  if (!isCountryCode(code)) throw ValidationError.of(['defaultCountry'], `"${defaultCountry}" is not an ISO 3166-1 alpha-2 country code`);
  return code;
}

/** Whether `code` is an ISO 3166-1 alpha-2 country libphonenumber knows (defaultCountry input). */
export function isCountryCode(code: string): code is CountryCode {
  return isSupportedCountry(code);
}

/**
 * Normalises a phone number to E.164. National numbers need `defaultCountry`. The full metadata
 * ("max") is used so that numbers are checked against real number ranges, not only lengths:
 * dialing an unallocated number costs money and annoys carriers.
 */
export function normalizePhone(input: string, defaultCountry?: CountryCode): PhoneResult {
  const raw = input.trim();
  if (!raw) return { ok: false, reason: 'phone number is empty' };
  try {
    const parsed = parsePhoneNumberWithError(raw, defaultCountry ? { defaultCountry } : undefined);
    // One type lookup answers both questions (libphonenumber's isValid() is "has a type"):
    // matching the number against its country's ranges is most of a 1M-row import's cost.
    const type = parsed.getType();
    if (!type) return { ok: false, reason: `${raw} is not a valid phone number` };
    return { ok: true, e164: parsed.number, notDialable: notDialableType(parsed.number, type) };
  } catch (error) {
    const code = (error as Error).message;
    const reason =
      code === 'INVALID_COUNTRY'
        ? `${raw} has no country code and no defaultCountry was given`
        : code === 'TOO_SHORT'
          ? `${raw} is too short`
          : code === 'TOO_LONG'
            ? `${raw} is too long`
            : `${raw} is not a phone number`;
    return { ok: false, reason };
  }
}

/**
 * Number types callboard never dials by default: a call costs the caller a premium, and the
 * recipient is a service, not a person (libphonenumber's number type, from the full metadata).
 */
const NOT_DIALED_TYPES: Readonly<Record<string, string>> = {
  PREMIUM_RATE: 'a premium-rate number (charged at a premium to the caller)',
  SHARED_COST: 'a shared-cost number (part of the cost is charged to the caller)',
};

function notDialableType(e164: string, type: string | undefined): string | null {
  const what = type ? NOT_DIALED_TYPES[type] : undefined;
  return what ? `${e164} is ${what}; it is not dialed` : null;
}

/** Why a valid E.164 number must not be dialed (premium-rate, shared-cost), or null when it may be. */
export function notDialableReason(e164: string): string | null {
  try {
    return notDialableType(e164, parsePhoneNumberWithError(e164).getType());
  } catch {
    return null;
  }
}
