/**
 * The organisation's do-not-call list: one definition of "this number must not be called",
 * used wherever contacts enter a campaign (add, import, duplicate) and before a test call.
 */
import type { Database } from '../db/client.ts';
import type { Tx } from '../db/transactions.ts';

/**
 * SQL condition, true when the number in `phoneExpr` is on the list of the organisation in
 * `orgExpr` — for set-based statements over many rows (imports of a million contacts). Both
 * arguments are SQL expressions written by callboard (parameter placeholders, column names),
 * never client input.
 */
export function onDoNotCallList(orgExpr: string, phoneExpr: string): string {
  return `EXISTS (SELECT 1 FROM do_not_call dnc WHERE dnc.organization_id = ${orgExpr} AND dnc.phone_number = ${phoneExpr})`;
}

/** The numbers among `phones` on the organisation's list (the dialer's check, under its claim lock). */
export async function listedNumbers(tx: Tx, organizationId: string, phones: string[]): Promise<Set<string>> {
  if (phones.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ phone_number: string }[]>`
    SELECT phone_number FROM do_not_call WHERE organization_id = ${organizationId}::uuid AND phone_number = ANY(${phones}::text[])`;
  return new Set(rows.map((r) => r.phone_number));
}

/** Whether one E.164 number is on the organisation's list. */
export async function isOnDoNotCallList(db: Database, organizationId: string, e164: string): Promise<boolean> {
  const entry = await db.prisma.doNotCallEntry.findUnique({
    where: { organizationId_phoneNumber: { organizationId, phoneNumber: e164 } },
    select: { phoneNumber: true },
  });
  return entry !== null;
}
