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
import type { CountryCode } from 'libphonenumber-js/max';
import type { App } from '../app.ts';
import { TX } from '../db/transactions.ts';
import { csvRecordToContact, MAX_CONTACTS_PER_REQUEST, prepareContact, variablesProblem, type ContactInput, type PreparedContact } from '../domain/contacts.ts';
import { InvalidCampaignTransitionError, NotFoundError, ValidationError, type FieldError } from '../domain/errors.ts';
import { transition } from '../domain/lifecycle.ts';
import { parseCountry } from '../domain/phone.ts';
import { appendEvent, withEvents } from '../realtime/event-log.ts';
import { type Actor, recordAudit } from './audit.ts';
import { ImportJobTracker } from './import-jobs.ts';
import { spoolToDisk, type Spooled } from './upload-spool.ts';
import { limitedBytes, readCsv, type CsvSource } from './contacts-csv.ts';
import { createStage, finishImport, stageRows, type ContactsReport } from './contact-stage.ts';

export type { ContactsReport } from './contact-stage.ts';

/** Rows per staging statement: ~5k keeps each statement's parameters a few hundred KB. */
export const BATCH_SIZE = 5_000;
/** A CSV upload reports at most this many rejected rows / warnings (counts are always exact). */
export const CSV_REPORT_LIMIT = 1_000;

export interface ImportOptions {
  /** Rows per staging batch (tests make it small to cross batch boundaries with few rows). */
  batchSize?: number;
  reportLimit?: number;
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
  input: { campaignId: string; contacts: ContactInput[]; defaultCountry?: string | null; actor?: Actor | null },
): Promise<ContactsReport> {
  const problems: FieldError[] = [];
  let country: CountryCode | undefined;
  try {
    country = parseCountry(input.defaultCountry);
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
  return runImport(
    app,
    orgId,
    input.campaignId,
    async (stage) => {
      for (let i = 0; i < prepared.length; i += BATCH_SIZE) await stage(prepared.slice(i, i + BATCH_SIZE));
    },
    { reportLimit: MAX_CONTACTS_PER_REQUEST, actor: input.actor },
  );
}

/**
 * importContacts: a CSV file with a header row, streamed. Columns name / phone (phone_number,
 * phoneNumber, number, mobile) / timezone are recognised; every other column becomes a variable.
 */
export async function importContacts(
  app: App,
  orgId: string,
  input: { campaignId: string; file: CsvSource; defaultCountry?: string | null; actor?: Actor | null },
  options: ImportOptions = {},
): Promise<ContactsReport & { jobId: string }> {
  const country = parseCountry(input.defaultCountry);
  await checkCampaign(app, orgId, input.campaignId);
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const job = await ImportJobTracker.start(app, orgId, input.campaignId);
  const read = { rowsRead: 0, bytesRead: 0 };
  let bytes: AsyncIterable<Uint8Array> = limitedBytes(input.file, app.config.maxUploadBytes, (total) => {
    read.bytesRead = total;
    job.progress(read.rowsRead, read.bytesRead);
  });
  let spool: Spooled | null = null;

  try {
    if (app.db.kind === 'pglite') {
      // The connection is free while the file arrives (see upload-spool.ts): progress is written meanwhile.
      job.connectionFree = true;
      spool = await spoolToDisk(bytes);
      job.connectionFree = false;
      bytes = spool.chunks;
    }
    const report = await runImport(
      app,
      orgId,
      input.campaignId,
      async (stage) => {
        let batch: PreparedContact[] = [];
        await readCsv(bytes, async (cells, columns, line) => {
          const contact = csvRecordToContact(cells, columns);
          // The same bound as addContacts: a 10,000-column row is not a contact's merge fields.
          const problem = variablesProblem(contact.variables);
          if (problem) throw ValidationError.of(['file'], `line ${line}: ${problem}`);
          batch.push(prepareContact(contact, { row: read.rowsRead++, line }, country));
          if (batch.length >= batchSize) {
            await stage(batch);
            batch = [];
            job.progress(read.rowsRead, read.bytesRead);
          }
        });
        if (batch.length) await stage(batch);
        if (read.rowsRead === 0) throw ValidationError.of(['file'], 'the file has a header but no contacts');
      },
      { reportLimit: options.reportLimit ?? CSV_REPORT_LIMIT, actor: input.actor },
    );
    await job.succeeded({ ...read, added: report.added, skipped: report.skipped });
    return { ...report, jobId: job.id };
  } catch (error) {
    // Nothing was added (the import is one transaction); the job says why.
    job.connectionFree = true;
    await job.failed(error, read);
    throw error;
  } finally {
    await spool?.dispose();
  }
}

type Stage = (rows: PreparedContact[]) => Promise<void>;

async function runImport(
  app: App,
  orgId: string,
  campaignId: string,
  produce: (stage: Stage) => Promise<void>,
  options: { reportLimit: number; actor?: Actor | null },
): Promise<ContactsReport> {
  const result = await withEvents(app, TX.import, async (tx, events) => {
    await createStage(tx);
    await produce((rows) => stageRows(tx, rows));
    const result = await finishImport(tx, orgId, campaignId, options.reportLimit);
    events.push(await appendEvent(tx, campaignId, 'CONTACTS_ADDED'));
    await recordAudit(tx, orgId, options.actor, {
      action: 'campaign.add_contacts',
      targetType: 'Campaign',
      targetId: campaignId,
      after: { added: result.added, skipped: result.skipped, version: result.campaign.version },
    });
    return result;
  });
  if (result.added >= ANALYZE_AFTER_ROWS) await refreshCallStatistics(app);
  return result;
}

/** A list this large changes the planner's picture of the call table at once (autovacuum would
 * take a while): without fresh statistics, the first pages and exports of the new calls are
 * planned for a campaign of a few rows and sort instead of walking the index. */
const ANALYZE_AFTER_ROWS = 10_000;

async function refreshCallStatistics(app: App): Promise<void> {
  await app.db.prisma.$executeRawUnsafe('ANALYZE "call"').catch((error) => app.logger.warn({ err: error }, 'ANALYZE after a large import failed'));
}
