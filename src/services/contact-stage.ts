/**
 * The SQL half of a contact upload (see contacts.ts): rows staged in a temporary table, then —
 * under the campaign lock — do-not-call and duplicate checks and one INSERT … SELECT into `call`.
 */
import type { Campaign } from '../db/generated/prisma/client.ts';
import type { Tx } from '../db/transactions.ts';
import { skipReason, type PreparedContact, type SkipOutcome } from '../domain/contacts.ts';
import { InvalidCampaignTransitionError } from '../domain/errors.ts';
import { transition } from '../domain/lifecycle.ts';
import { lockLiveCampaign } from './campaign-lock.ts';
import { onDoNotCallList } from './do-not-call.ts';

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

/** The upload's staging table, for the rest of the caller's transaction. */
export async function createStage(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(STAGE_TABLE);
}

export async function stageRows(tx: Tx, rows: PreparedContact[]): Promise<void> {
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

export async function finishImport(tx: Tx, orgId: string, campaignId: string, reportLimit: number): Promise<ContactsReport> {
  const locked = await lockLiveCampaign(tx, orgId, campaignId);
  // Checked again under the lock: the campaign may have been stopped while the file streamed in.
  if (!transition(locked.status, 'ADD_CONTACTS').ok) throw new InvalidCampaignTransitionError(locked.status, 'ADD_CONTACTS');
  // A temp table is never auto-analysed; without statistics a 1M-row stage gets nested loops.
  await tx.$executeRawUnsafe(`ANALYZE callboard_contact_stage`);

  // Do-not-call first: a listed number is reported as such even when it is also a duplicate.
  await tx.$executeRawUnsafe(
    `UPDATE callboard_contact_stage s SET outcome = 'DO_NOT_CALL'
      WHERE s.outcome IS NULL AND ${onDoNotCallList('$1::uuid', 's.phone')}`,
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
  type IssueRow = {
    row_no: number;
    line: number | null;
    phone: string;
    outcome: SkipOutcome | null;
    invalid_reason: string | null;
    duplicate_of: number | null;
    warning: string | null;
  };
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
