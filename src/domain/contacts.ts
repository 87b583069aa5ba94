/**
 * Contact rows before they become calls: phone normalisation, time zone, variables, and the
 * wording of the per-row report. Pure — the service (src/services/contacts.ts) does the I/O, and
 * the decisions that need the database (duplicates, do-not-call) are taken there in SQL.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { canonicalTimeZone } from './calling-window.ts';
import { normalizePhone } from './phone.ts';

/** One addContacts call carries at most this many rows; bigger lists go through the CSV import. */
export const MAX_CONTACTS_PER_REQUEST = 10_000;
/** Longer names are cut (and the row gets a warning): a name is a greeting, not a document. */
export const MAX_NAME_LENGTH = 200;
/** Serialised variables per contact: enough for a script's merge fields, not for attachments. */
export const MAX_VARIABLES_BYTES = 16_384;

/** Why a contact was not turned into a dialable call (its call row is SKIPPED with this outcome). */
export type SkipOutcome = 'INVALID_NUMBER' | 'DUPLICATE' | 'DO_NOT_CALL';

export interface ContactInput {
  name?: string | null;
  phoneNumber: string;
  timezone?: string | null;
  variables?: Record<string, unknown> | null;
}

/** A contact ready to be staged: everything decided except what needs the database. */
export interface PreparedContact {
  /** 0-based index of the contact in the request (or of the data record in the CSV file). */
  row: number;
  /** 1-based line of the CSV file where the record starts (header = line 1); null for JSON rows. */
  line: number | null;
  name: string;
  /** E.164 when valid, else the input as given (trimmed). */
  phoneNumber: string;
  /** Set when the number cannot be dialed: the row is SKIPPED with outcome INVALID_NUMBER. */
  invalidReason: string | null;
  /** Canonical IANA zone, or null (the campaign's zone applies). */
  timezone: string | null;
  /** Something was corrected on an accepted row (unknown zone dropped, name cut). */
  warning: string | null;
  variables: Record<string, unknown>;
}

export function prepareContact(input: ContactInput, position: { row: number; line?: number | null }, defaultCountry?: CountryCode): PreparedContact {
  const warnings: string[] = [];
  const raw = (input.phoneNumber ?? '').trim();
  const phone = normalizePhone(raw, defaultCountry);
  let name = (input.name ?? '').trim();
  if (name.length > MAX_NAME_LENGTH) {
    name = name.slice(0, MAX_NAME_LENGTH);
    warnings.push(`name cut to ${MAX_NAME_LENGTH} characters`);
  }
  // An unknown zone is treated like a missing one — the number's zone (else the campaign's)
  // applies, as for every contact without a zone — rather than losing the contact or failing the
  // whole list for a typo.
  // The calling window's 08:00–21:00 clamp still holds in the zone that applies.
  let timezone: string | null = null;
  const tz = input.timezone?.trim();
  if (tz) {
    timezone = canonicalTimeZone(tz);
    if (!timezone) warnings.push(`unknown time zone "${tz}": the number's (else the campaign's) time zone applies`);
  }
  return {
    row: position.row,
    line: position.line ?? null,
    name,
    phoneNumber: phone.ok ? phone.e164 : raw,
    invalidReason: phone.ok ? phone.notDialable : phone.reason,
    timezone,
    warning: warnings.length ? warnings.join('; ') : null,
    variables: input.variables ?? {},
  };
}

/** Stored variables as an object: a contact's merge fields, whatever the JSON column holds ({} otherwise). */
export function variablesObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Variables must be a JSON object (the script reads them by name). Null when acceptable. */
export function variablesProblem(value: unknown): string | null {
  if (value == null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'must be a JSON object of named values';
  if (JSON.stringify(value).length > MAX_VARIABLES_BYTES) return `must be at most ${MAX_VARIABLES_BYTES} bytes as JSON`;
  return null;
}

/** The report line of a skipped row. `duplicateOf` is the earlier row of the same upload, if any. */
export function skipReason(outcome: SkipOutcome, detail: { phoneNumber: string; invalidReason?: string | null; duplicateOf?: number | null }): string {
  switch (outcome) {
    case 'INVALID_NUMBER':
      return detail.invalidReason ?? `${detail.phoneNumber} is not a valid phone number`;
    case 'DO_NOT_CALL':
      return `${detail.phoneNumber} is on the organisation's do-not-call list`;
    case 'DUPLICATE':
      return detail.duplicateOf != null
        ? `${detail.phoneNumber} already appears in row ${detail.duplicateOf}`
        : `${detail.phoneNumber} is already in the campaign`;
  }
}

// ---------------------------------------------------------------------------------------------
// CSV header

/** Header spellings of the recognised columns, compared lower-case without spaces, _ or -. */
const COLUMN_ALIASES: Record<'name' | 'phone' | 'timezone', readonly string[]> = {
  name: ['name', 'fullname', 'contactname'],
  phone: ['phone', 'phonenumber', 'number', 'mobile', 'mobilenumber', 'telephone', 'tel'],
  timezone: ['timezone', 'tz'],
};

export const PHONE_COLUMN_NAMES = ['phone', 'phone_number', 'phoneNumber', 'number', 'mobile'];

const squash = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

export interface CsvColumns {
  name: number | null;
  phone: number;
  timezone: number | null;
  /** Every other non-empty header: [column index, variable name as written in the header]. */
  variables: [number, string][];
}

/**
 * Maps a header row to columns. The first column matching a recognised name wins; any later
 * column with the same meaning is kept as a variable. Fails (with a message) without a phone column.
 */
export function mapCsvHeader(header: string[]): { ok: true; columns: CsvColumns } | { ok: false; reason: string } {
  const found: { name: number | null; phone: number | null; timezone: number | null } = { name: null, phone: null, timezone: null };
  const variables: [number, string][] = [];
  const seen = new Set<string>();
  header.forEach((cell, index) => {
    const label = cell.trim();
    if (!label) return;
    const key = squash(label);
    const role = (Object.keys(COLUMN_ALIASES) as (keyof typeof COLUMN_ALIASES)[]).find((r) => COLUMN_ALIASES[r].includes(key));
    if (role && found[role] === null) {
      found[role] = index;
      return;
    }
    // Two columns with one header would overwrite each other's variable: keep the first.
    if (seen.has(label)) return;
    seen.add(label);
    variables.push([index, label]);
  });
  if (found.phone === null) {
    return { ok: false, reason: `the header has no phone column (one of: ${PHONE_COLUMN_NAMES.join(', ')})` };
  }
  return { ok: true, columns: { name: found.name, phone: found.phone, timezone: found.timezone, variables } };
}

/**
 * The field delimiter of a CSV file from its header line: comma, semicolon (spreadsheets in
 * European locales) or tab, whichever occurs most outside quotes; comma on a tie. Only these
 * three compete: a space or a dot in a header must never split columns.
 */
export function sniffDelimiter(headerLine: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/** A CSV record (cells) as a contact, given the mapped header. Missing cells read as empty. */
export function csvRecordToContact(cells: string[], columns: CsvColumns): ContactInput {
  const cell = (i: number | null) => (i === null ? '' : (cells[i] ?? ''));
  const variables: Record<string, string> = {};
  for (const [index, label] of columns.variables) variables[label] = cells[index] ?? '';
  return { name: cell(columns.name), phoneNumber: cell(columns.phone), timezone: cell(columns.timezone) || null, variables };
}
