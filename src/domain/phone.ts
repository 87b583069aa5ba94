import { parsePhoneNumberWithError, type CountryCode, isSupportedCountry } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

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
    if (!parsed.isValid()) return { ok: false, reason: `${raw} is not a valid phone number` };
    return { ok: true, e164: parsed.number };
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
