/**
 * Contacts → call rows, for addContacts (JSON rows) and importContacts (CSV stream).
 *
 * Every upload runs in ONE transaction, in two phases:
 *  1. staging — rows are prepared in JS (E.164, time zone) and inserted in set-based batches
 *     (INSERT … SELECT FROM unnest(…), BATCH_SIZE rows per statement) into a temporary table that
 *     disappears at commit/rollback. Memory stays bounded by one batch, whatever the file size.
 *  2. finishing — the campaign row is locked (so concurrent uploads and lifecycle actions queue),
 *     the state machine is asked (ADD_CONTACTS), do-not-call entries and duplicates (against the
 *     campaign's rows and within the upload) are marked with two SQL statements, and one
 *     INSERT … SELECT moves the staged rows into `call`. The campaign lock is held only for this
 *     phase, not while a large file is still being read.
 * A failure anywhere rolls everything back: no half import. The tally triggers keep stats exact;
 * a CONTACTS_ADDED event is appended in the transaction and published after commit.
 */
import { Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import type { CountryCode } from 'libphonenumber-js/max';
import type { App } from '../app.ts';
import type { Campaign } from '../db/generated/prisma/client.ts';
import {
  csvRecordToContact,
  mapCsvHeader,
  type CsvColumns,
  MAX_CONTACTS_PER_REQUEST,
  prepareContact,
  skipReason,
  sniffDelimiter,
  variablesProblem,
  type ContactInput,
  type PreparedContact,
  type SkipOutcome,
} from '../domain/contacts.ts';
import { InvalidCampaignTransitionError, NotFoundError, ValidationError, type FieldError } from '../domain/errors.ts';
import { transition } from '../domain/lifecycle.ts';
import { isCountryCode } from '../domain/phone.ts';
import type { CampaignEventMessage } from '../realtime/pubsub.ts';
import { lockCampaign } from './campaign-lifecycle.ts';
import { appendEvent, publishEvents, type Tx } from './events.ts';

/** Rows per staging statement: ~5k keeps each statement's parameters a few hundred KB. */
export const BATCH_SIZE = 5_000;
/** A CSV upload reports at most this many rejected rows / warnings (counts are always exact). */
export const CSV_REPORT_LIMIT = 1_000;

export interface RowIssue {
  row: number;
  line: number | null;
  phoneNumber: string;
  reason: string;
}
export interface RejectedRow extends RowIssue {
  outcome: SkipOutcome;
}

export interface ContactsReport {
  campaign: Campaign;
  /** Rows that became PENDING calls. */
  added: number;
  /** Rows that became SKIPPED calls (invalid number, duplicate, do-not-call). */
  skipped: number;
  /** The skipped rows in upload order, up to the report limit. */
  rejected: RejectedRow[];
  rejectedCount: number;
  /** Accepted rows that were corrected (unknown time zone, name cut), up to the report limit. */
  warnings: RowIssue[];
  warningCount: number;
}

export interface ImportOptions {
  /** Rows per staging batch (tests make it small to cross batch boundaries with few rows). */
  batchSize?: number;
  reportLimit?: number;
}

// A 1M-row file on PGlite takes minutes; Prisma's 5 s interactive-transaction default would
// abort it half way (harmlessly — it rolls back — but uselessly).
const TX_OPTIONS = { timeout: 30 * 60_000, maxWait: 60_000 };

function countryOf(defaultCountry: string | null | undefined): CountryCode | undefined {
  if (defaultCountry == null || defaultCountry.trim() === '') return undefined;
  const code = defaultCountry.trim().toUpperCase();
  if (!isCountryCode(code)) throw ValidationError.of(['defaultCountry'], `"${defaultCountry}" is not an ISO 3166-1 alpha-2 country code`);
  return code;
}

/** Fails fast, before reading a big file, when the campaign is unknown or cannot take contacts. */
async function checkCampaign(app: App, orgId: string, campaignId: string): Promise<void> {
  const campaign = await app.db.prisma.campaign.findFirst({
    where: { id: campaignId, organizationId: orgId, deletedAt: null },
    select: { status: true },
  });
  if (!campaign) throw new NotFoundError('Campaign', campaignId);
  if (!transition(campaign.status, 'ADD_CONTACTS').ok) throw new InvalidCampaignTransitionError(campaign.status, 'ADD_CONTACTS');
}

/** addContacts: up to MAX_CONTACTS_PER_REQUEST JSON rows. */
export async function addContacts(
  app: App,
  orgId: string,
  input: { campaignId: string; contacts: ContactInput[]; defaultCountry?: string | null },
): Promise<ContactsReport> {
  const problems: FieldError[] = [];
  let country: CountryCode | undefined;
  try {
    country = countryOf(input.defaultCountry);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.fieldErrors);
  }
  if (input.contacts.length === 0) problems.push({ path: ['contacts'], message: 'at least one contact is required' });
  if (input.contacts.length > MAX_CONTACTS_PER_REQUEST) {
    problems.push({
      path: ['contacts'],
      message: `at most ${MAX_CONTACTS_PER_REQUEST} contacts per request; upload a CSV file with importContacts for more`,
    });
  }
  input.contacts.forEach((contact, i) => {
    const problem = variablesProblem(contact.variables);
    if (problem && problems.length < 100) problems.push({ path: ['contacts', String(i), 'variables'], message: problem });
  });
  if (problems.length) throw new ValidationError(problems);
  await checkCampaign(app, orgId, input.campaignId);

  const prepared = input.contacts.map((contact, row) => prepareContact(contact, { row }, country));
  return runImport(app, orgId, input.campaignId, async (stage) => {
    for (let i = 0; i < prepared.length; i += BATCH_SIZE) await stage(prepared.slice(i, i + BATCH_SIZE));
  }, { reportLimit: MAX_CONTACTS_PER_REQUEST });
}

/**
 * importContacts: a CSV file with a header row, streamed. Columns name / phone (phone_number,
 * phoneNumber, number, mobile) / timezone are recognised; every other column becomes a variable.
 */
export async function importContacts(
  app: App,
  orgId: string,
  input: { campaignId: string; file: Blob; defaultCountry?: string | null },
  options: ImportOptions = {},
): Promise<ContactsReport> {
  const country = countryOf(input.defaultCountry);
  await checkCampaign(app, orgId, input.campaignId);
  const batchSize = options.batchSize ?? BATCH_SIZE;

  return runImport(app, orgId, input.campaignId, async (stage) => {
    const parser = await csvParser(chunksOf(input.file));
    let columns: CsvColumns | null = null;
    let batch: PreparedContact[] = [];
    let row = 0;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!columns) {
          const mapped = mapCsvHeader(record);
          if (!mapped.ok) throw ValidationError.of(['file'], mapped.reason);
          columns = mapped.columns;
          continue;
        }
        // info.lines is the line the record ends on; a record spanning lines (quoted newlines)
        // is reported at its last line, which is where a spreadsheet user finds it anyway.
        batch.push(prepareContact(csvRecordToContact(record, columns), { row: row++, line: info.lines }, country));
        if (batch.length >= batchSize) {
          await stage(batch);
          batch = [];
        }
      }
    } catch (error) {
      if (error instanceof CsvError) {
        throw ValidationError.of(['file'], `not a readable CSV file: ${error.message}`);
      }
      throw error;
    }
    if (!columns) throw ValidationError.of(['file'], 'the file is empty; a header row and at least one contact are required');
    if (batch.length) await stage(batch);
    if (row === 0) throw ValidationError.of(['file'], 'the file has a header but no contacts');
  }, { reportLimit: options.reportLimit ?? CSV_REPORT_LIMIT });
}

/** Bytes handed to the parser at a time: ~1,500 records of a typical contact list. */
const PARSE_SLICE = 64 * 1024;

/**
 * The file's bytes in slices of at most PARSE_SLICE. Blob streams may deliver the whole file as
 * one chunk, and the parser turns a chunk into records all at once: unsliced, a 45 MB file would
 * sit in memory as a million parsed records however slowly they are consumed. Read through the
 * stream's reader rather than Readable.fromWeb: Yoga hands uploads over as @whatwg-node ponyfill
 * streams, which fromWeb refuses.
 */
async function* chunksOf(file: Blob): AsyncGenerator<Buffer> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      for (let at = 0; at < bytes.length; at += PARSE_SLICE) yield bytes.subarray(at, at + PARSE_SLICE);
    }
  } finally {
    reader.releaseLock();
  }
}

/** A streaming parser over `chunks`, its delimiter sniffed from the header line. */
async function csvParser(chunks: AsyncGenerator<Buffer>): Promise<Parser> {
  // Buffer until the header line is complete (64 KB at most: a header is never that long).
  const head: Buffer[] = [];
  let size = 0;
  while (size < 65_536) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
    if (next.value.includes(10) || next.value.includes(13)) break;
  }
  const text = Buffer.concat(head).toString('utf8');
  const delimiter = sniffDelimiter(text.split(/\r?\n|\r/, 1)[0] ?? '');
  async function* replay() {
    yield* head;
    yield* chunks;
  }
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    trim: true,
    info: true,
    // One record larger than this is a wrong file (or a wrong delimiter), not a contact.
    max_record_size: 65_536,
  });
  const source = Readable.from(replay(), { objectMode: false });
  source.on('error', (error) => parser.destroy(error));
  return source.pipe(parser);
}

type Stage = (rows: PreparedContact[]) => Promise<void>;

async function runImport(
  app: App,
  orgId: string,
  campaignId: string,
  produce: (stage: Stage) => Promise<void>,
  options: { reportLimit: number },
): Promise<ContactsReport> {
  const events: CampaignEventMessage[] = [];
  const report = await app.db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(STAGE_TABLE);
    await produce((rows) => stageRows(tx, rows));
    const result = await finish(tx, orgId, campaignId, options.reportLimit);
    events.push(await appendEvent(tx, campaignId, 'CONTACTS_ADDED'));
    return result;
  }, TX_OPTIONS);
  publishEvents(app.pubsub, events);
  return report;
}

// ON COMMIT DROP: the table lives exactly as long as the upload's transaction (and a rollback
// removes it too), so pooled connections never see a stale one.
const STAGE_TABLE = `
  CREATE TEMP TABLE callboard_contact_stage (
    row_no integer PRIMARY KEY,
    line integer,
    name text NOT NULL,
    phone text NOT NULL,
    outcome "CallOutcome",
    invalid_reason text,
    duplicate_of integer,
    timezone text,
    warning text,
    variables jsonb NOT NULL
  ) ON COMMIT DROP`;

async function stageRows(tx: Tx, rows: PreparedContact[]): Promise<void> {
  if (!rows.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO callboard_contact_stage (row_no, line, name, phone, outcome, invalid_reason, timezone, warning, variables)
     SELECT row_no, line, name, phone, CASE WHEN invalid_reason IS NULL THEN NULL ELSE 'INVALID_NUMBER'::"CallOutcome" END,
            invalid_reason, timezone, warning, variables::jsonb
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS u(row_no, line, name, phone, invalid_reason, timezone, warning, variables)`,
    rows.map((r) => r.row),
    rows.map((r) => r.line),
    rows.map((r) => r.name),
    rows.map((r) => r.phoneNumber),
    rows.map((r) => r.invalidReason),
    rows.map((r) => r.timezone),
    rows.map((r) => r.warning),
    rows.map((r) => JSON.stringify(r.variables)),
  );
}

async function finish(tx: Tx, orgId: string, campaignId: string, reportLimit: number): Promise<ContactsReport> {
  const locked = await lockCampaign(tx, orgId, campaignId);
  // Checked again under the lock: the campaign may have been stopped while the file streamed in.
  if (!transition(locked.status, 'ADD_CONTACTS').ok) throw new InvalidCampaignTransitionError(locked.status, 'ADD_CONTACTS');
  // A temp table is never auto-analysed; without statistics a 1M-row stage gets nested loops.
  await tx.$executeRawUnsafe(`ANALYZE callboard_contact_stage`);

  // Do-not-call first: a listed number is reported as such even when it is also a duplicate.
  await tx.$executeRawUnsafe(
    `UPDATE callboard_contact_stage s SET outcome = 'DO_NOT_CALL'
       FROM do_not_call d
      WHERE s.outcome IS NULL AND d.organization_id = $1::uuid AND d.phone_number = s.phone`,
    orgId,
  );
  // Duplicates: a number the campaign already has as a live (non-skipped) call, or a repeat of an
  // earlier row of this upload. Skipped rows don't count, so a number taken off the do-not-call
  // list can be added again.
  await tx.$executeRawUnsafe(
    `UPDATE callboard_contact_stage s SET outcome = 'DUPLICATE', duplicate_of = CASE WHEN d.existing THEN NULL ELSE d.first_row END
       FROM (SELECT row_no, first_value(row_no) OVER (PARTITION BY phone ORDER BY row_no) AS first_row,
                    EXISTS (SELECT 1 FROM "call" c
                             WHERE c.campaign_id = $1::uuid AND c.phone_number = x.phone AND c.status <> 'SKIPPED') AS existing
               FROM callboard_contact_stage x WHERE x.outcome IS NULL) d
      WHERE s.row_no = d.row_no AND (d.existing OR d.first_row <> d.row_no)`,
    campaignId,
  );
  // Positions continue the campaign's numbering. The tally's total is the number of call rows
  // (O(1), exact; rows are never deleted one by one) and the campaign lock serialises uploads.
  const [{ base }] = await tx.$queryRawUnsafe<{ base: number }[]>(
    `SELECT coalesce(sum(calls), 0)::int AS base FROM campaign_call_tally WHERE campaign_id = $1::uuid`,
    campaignId,
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO "call" (id, campaign_id, name, phone_number, status, outcome, processed_at, variables, timezone, position)
     SELECT ${orderedUuid('$3::bigint', 's.row_no::bigint')}, $1::uuid, s.name, s.phone,
            CASE WHEN s.outcome IS NULL THEN 'PENDING' ELSE 'SKIPPED' END::"CallStatus", s.outcome,
            CASE WHEN s.outcome IS NULL THEN NULL ELSE now() END, s.variables, s.timezone, $2::int + s.row_no + 1
       FROM callboard_contact_stage s ORDER BY s.row_no`,
    campaignId,
    base,
    String(Date.now()),
  );

  const [counts] = await tx.$queryRawUnsafe<{ added: number; skipped: number; warned: number }[]>(
    `SELECT count(*) FILTER (WHERE outcome IS NULL)::int AS added, count(*) FILTER (WHERE outcome IS NOT NULL)::int AS skipped,
            count(*) FILTER (WHERE outcome IS NULL AND warning IS NOT NULL)::int AS warned
       FROM callboard_contact_stage`,
  );
  type IssueRow = { row_no: number; line: number | null; phone: string; outcome: SkipOutcome | null; invalid_reason: string | null; duplicate_of: number | null; warning: string | null };
  const rejectedRows = await tx.$queryRawUnsafe<IssueRow[]>(
    `SELECT row_no, line, phone, outcome::text AS outcome, invalid_reason, duplicate_of, warning
       FROM callboard_contact_stage WHERE outcome IS NOT NULL ORDER BY row_no LIMIT $1`,
    reportLimit,
  );
  const warningRows = await tx.$queryRawUnsafe<IssueRow[]>(
    `SELECT row_no, line, phone, NULL AS outcome, NULL AS invalid_reason, NULL AS duplicate_of, warning
       FROM callboard_contact_stage WHERE outcome IS NULL AND warning IS NOT NULL ORDER BY row_no LIMIT $1`,
    reportLimit,
  );
  const campaign = await tx.campaign.update({ where: { id: campaignId }, data: { version: { increment: 1 } } });
  return {
    campaign,
    added: counts!.added,
    skipped: counts!.skipped,
    rejectedCount: counts!.skipped,
    rejected: rejectedRows.map((r) => ({
      row: r.row_no,
      line: r.line,
      phoneNumber: r.phone,
      outcome: r.outcome!,
      reason: skipReason(r.outcome!, { phoneNumber: r.phone, invalidReason: r.invalid_reason, duplicateOf: r.duplicate_of }),
    })),
    warningCount: counts!.warned,
    warnings: warningRows.map((r) => ({ row: r.row_no, line: r.line, phoneNumber: r.phone, reason: r.warning! })),
  };
}

/**
 * SQL for a time-ordered uuid (v7 layout: 48-bit unix ms, version 7, a 40-bit sequence split
 * around the variant bits, 32 random bits) from two bigint expressions: `ms` and `sequence`.
 * Rows of one upload get increasing ids in upload order, so ordering by (created_at, id) — the
 * default order of a campaign's calls — is upload order, and the primary-key index is appended
 * to instead of being written at random pages (a 1M-row import touches far fewer pages).
 */
export function orderedUuid(ms: string, sequence: string): string {
  const q = `(${sequence})`;
  return `(lpad(to_hex(${ms}), 12, '0') || '7' || lpad(to_hex((${q} >> 28) & 4095), 3, '0') || '8'
          || lpad(to_hex(${q} & 268435455), 7, '0') || substr(md5(random()::text), 1, 8))::uuid`;
}
