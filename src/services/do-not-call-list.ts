/**
 * Changing the organisation's do-not-call list (addDoNotCallNumbers, removeDoNotCallNumbers,
 * importDoNotCallNumbers). What the list means when calls are added and dialed is decided in
 * do-not-call.ts and in the dialer's claim.
 *
 * An add runs in steps, each safe to crash after:
 *  1. the entries are inserted under the organisation row lock — the lock every claim holds while
 *     it reads the list — and committed: from then on no claim picks these numbers;
 *  2. their waiting calls (PENDING / RETRY_SCHEDULED) in every campaign of the organisation become
 *     SKIPPED / DO_NOT_CALL, one campaign transaction at a time (campaign lock first, as always);
 *     were this step lost, the next claim would skip them all the same;
 *  3. it waits until dials claimed before step 1 committed have been accepted by the provider or
 *     abandoned, so that nothing is dialed after the mutation has answered.
 */
import type { App } from '../app.ts';
import type { DoNotCallSource } from '../db/generated/prisma/client.ts';
import { literalList } from '../db/sql-literals.ts';
import { transaction, TX } from '../db/transactions.ts';
import { ValidationError } from '../domain/errors.ts';
import { WAITING_CALL_STATUSES } from '../domain/lifecycle.ts';
import { normalizePhone, parseCountry } from '../domain/phone.ts';
import type { CountryCode } from 'libphonenumber-js/max';
import { type Actor, recordAudit } from './audit.ts';
import { limitedBytes, readCsv, type CsvSource } from './contacts-csv.ts';
import { spoolToDisk } from './upload-spool.ts';
import { appendCallEvents, withEvents } from '../realtime/event-log.ts';
import { completeIfDone } from './campaign-lifecycle.ts';
import { lockCampaign } from './campaign-lock.ts';

/** Numbers per addDoNotCallNumbers / removeDoNotCallNumbers request; bigger lists go through the CSV import. */
export const MAX_NUMBERS_PER_REQUEST = 10_000;
/** How long an add waits for dials already handed to the provider: two-thirds of the 30 s lease,
 * after which no worker starts a dial it claimed (see HeldCalls.dial). */
const IN_FLIGHT_WAIT_MS = 20_000;
const IN_FLIGHT_POLL_MS = 25;

export interface AddReport {
  added: number;
  alreadyListed: number;
  rejected: { index: number; reason: string }[];
  callsSkipped: number;
}

/** Normalises numbers to E.164; the invalid ones are reported by their index in `numbers`. */
function normalizeNumbers(numbers: readonly string[], country?: CountryCode) {
  const valid = new Set<string>();
  const rejected: { index: number; reason: string }[] = [];
  numbers.forEach((raw, index) => {
    const phone = normalizePhone(raw, country);
    if (phone.ok) valid.add(phone.e164);
    else rejected.push({ index, reason: phone.reason });
  });
  return { valid: [...valid], rejected };
}

function checkRequestSize(numbers: readonly string[]): void {
  if (numbers.length === 0) throw ValidationError.of(['numbers'], 'at least one number is required');
  if (numbers.length > MAX_NUMBERS_PER_REQUEST) {
    throw ValidationError.of(['numbers'], `at most ${MAX_NUMBERS_PER_REQUEST} numbers per request; import a CSV file for more`);
  }
}

/** Step 1: inserts entries (5,000 per statement) under the organisation lock; returns how many were new. */
async function insertEntries(
  app: App,
  orgId: string,
  e164s: string[],
  entry: { reason: string | null; source: DoNotCallSource; actor?: Actor | null },
): Promise<number> {
  let added = 0;
  for (let i = 0; i < e164s.length; i += 5_000) {
    const batch = e164s.slice(i, i + 5_000);
    added += await transaction(app.db, TX.locked, async (tx) => {
      await tx.$queryRaw`SELECT id FROM organization WHERE id = ${orgId}::uuid FOR UPDATE`;
      const inserted = await tx.$executeRaw`
        INSERT INTO do_not_call (organization_id, phone_number, reason, source)
        SELECT ${orgId}::uuid, unnest(${batch}::text[]), ${entry.reason}, ${entry.source}::"DoNotCallSource"
        ON CONFLICT DO NOTHING`;
      await recordAudit(tx, orgId, entry.actor, {
        action: 'do_not_call.add',
        targetType: 'Organization',
        targetId: orgId,
        after: { numbers: batch.length, added: inserted, reason: entry.reason, source: entry.source },
      });
      return inserted;
    });
  }
  return added;
}

/** Steps 2 and 3 for numbers that were just listed; returns how many calls were skipped. */
async function settleListed(app: App, orgId: string, e164s: string[]): Promise<number> {
  if (e164s.length === 0) return 0;
  const callsSkipped = await skipListedCalls(app, orgId, e164s);
  await waitForDialsInFlight(app, orgId, e164s);
  return callsSkipped;
}

/** addDoNotCallNumbers: numbers normalised to E.164, invalid ones reported by index, the rest listed. */
export async function addDoNotCallNumbers(
  app: App,
  orgId: string,
  input: { numbers: readonly string[]; defaultCountry?: string | null; reason?: string | null; actor?: Actor | null },
): Promise<AddReport> {
  checkRequestSize(input.numbers);
  const reason = validReason(input.reason);
  const { valid, rejected } = normalizeNumbers(input.numbers, parseCountry(input.defaultCountry));
  const added = await insertEntries(app, orgId, valid, { reason, source: 'API', actor: input.actor });
  return { added, alreadyListed: valid.length - added, rejected, callsSkipped: await settleListed(app, orgId, valid) };
}

/** importDoNotCallNumbers: a CSV file with a phone column (and an optional reason column), streamed. */
export async function importDoNotCallNumbers(
  app: App,
  orgId: string,
  input: { file: CsvSource; defaultCountry?: string | null; reason?: string | null; actor?: Actor | null },
): Promise<AddReport> {
  const country = parseCountry(input.defaultCountry);
  const reason = validReason(input.reason);
  // Received whole before anything is listed: a cut-off upload lists nothing (entries are then
  // committed 5,000 at a time, so the organisation lock is never held for a whole file).
  const spool = await spoolToDisk(limitedBytes(input.file, app.config.maxUploadBytes, () => {}));
  try {
    return await listFromFile(app, orgId, { file: spool.chunks, country, reason, actor: input.actor });
  } finally {
    await spool.dispose();
  }
}

async function listFromFile(
  app: App,
  orgId: string,
  input: { file: CsvSource; country: CountryCode | undefined; reason: string | null; actor?: Actor | null },
): Promise<AddReport> {
  const { country, reason } = input;
  const report: AddReport = { added: 0, alreadyListed: 0, rejected: [], callsSkipped: 0 };
  const listed: string[] = [];
  const flush = async (batch: string[]) => {
    const unique = [...new Set(batch)];
    const added = await insertEntries(app, orgId, unique, { reason, source: 'IMPORT', actor: input.actor });
    report.added += added;
    report.alreadyListed += unique.length - added;
    listed.push(...unique);
  };
  let batch: string[] = [];
  let row = 0;
  await readCsv(input.file, async (cells, columns) => {
    const phone = normalizePhone(cells[columns.phone] ?? '', country);
    if (phone.ok) batch.push(phone.e164);
    else if (report.rejected.length < 1_000) report.rejected.push({ index: row, reason: phone.reason });
    row++;
    if (batch.length >= 5_000) {
      await flush(batch);
      batch = [];
    }
  });
  if (batch.length) await flush(batch);
  if (row === 0) throw ValidationError.of(['file'], 'the file has a header but no numbers');
  report.callsSkipped = await settleListed(app, orgId, [...new Set(listed)]);
  return report;
}

function validReason(reason: string | null | undefined): string | null {
  const text = reason?.trim() ?? '';
  if (text.length > 500) throw ValidationError.of(['reason'], 'at most 500 characters');
  return text || null;
}

/** Step 2: waiting calls of these numbers become SKIPPED / DO_NOT_CALL, campaign by campaign. */
async function skipListedCalls(app: App, orgId: string, e164s: string[]): Promise<number> {
  const campaigns = await app.db.prisma.$queryRaw<{ id: string }[]>`
    SELECT cp.id FROM campaign cp
     WHERE cp.organization_id = ${orgId}::uuid
       AND EXISTS (SELECT 1 FROM "call" c WHERE c.campaign_id = cp.id AND c.phone_number = ANY(${e164s}::text[])
                     AND c.status IN (${literalList(WAITING_CALL_STATUSES)}))`;
  let skipped = 0;
  for (const { id } of campaigns) {
    skipped += await withEvents(app, TX.locked, async (tx, events) => {
      const campaign = await lockCampaign(tx, id);
      if (!campaign) return 0;
      const rows = await tx.$queryRaw<{ id: string; status: string }[]>`
        UPDATE "call" SET status = 'SKIPPED', outcome = 'DO_NOT_CALL', next_attempt_at = NULL, wait_reason = NULL,
               processed_at = now(), updated_at = now()
         WHERE campaign_id = ${id}::uuid AND phone_number = ANY(${e164s}::text[]) AND status IN (${literalList(WAITING_CALL_STATUSES)})
        RETURNING id, status::text AS status`;
      events.push(...(await appendCallEvents(tx, id, 'CALL_UPDATED', rows)));
      // Its last open calls may have been these: the campaign is done.
      await completeIfDone(tx, campaign, events);
      return rows.length;
    });
  }
  return skipped;
}

/** Step 3: dials of these numbers claimed (or test calls taken) but not yet accepted by the provider. */
async function waitForDialsInFlight(app: App, orgId: string, e164s: string[]): Promise<void> {
  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  while (Date.now() < deadline) {
    // Campaign attempts without a provider id were claimed and not yet accepted; test calls the
    // same once a worker took them (QUEUED ones are checked again when a worker picks them up).
    const [row] = await app.db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM call_attempt a JOIN campaign cp ON cp.id = a.campaign_id
       WHERE cp.organization_id = ${orgId}::uuid AND a.to_number = ANY(${e164s}::text[])
         AND a.ended_at IS NULL AND a.provider_call_id IS NULL AND (NOT a.is_test OR a.telephony_status <> 'QUEUED')`;
    if (!row || row.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
  }
  app.logger.warn({ orgId, numbers: e164s.length }, 'do-not-call: dials in flight did not settle in time; their workers will not start them now');
}

/**
 * removeDoNotCallNumbers: takes numbers off the list. Calls already SKIPPED stay skipped: add the
 * contacts again (or duplicate the campaign) to call them.
 */
export async function removeDoNotCallNumbers(
  app: App,
  orgId: string,
  input: { numbers: readonly string[]; defaultCountry?: string | null; actor?: Actor | null },
) {
  checkRequestSize(input.numbers);
  const { valid, rejected } = normalizeNumbers(input.numbers, parseCountry(input.defaultCountry));
  const removed = await transaction(app.db, TX.locked, async (tx) => {
    const count = await tx.$executeRaw`
      DELETE FROM do_not_call WHERE organization_id = ${orgId}::uuid AND phone_number = ANY(${valid}::text[])`;
    await recordAudit(tx, orgId, input.actor, {
      action: 'do_not_call.remove',
      targetType: 'Organization',
      targetId: orgId,
      after: { numbers: valid.length, removed: count },
    });
    return count;
  });
  return { removed, rejected };
}
