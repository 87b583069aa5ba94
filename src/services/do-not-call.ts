/**
 * The organisation's do-not-call list: one definition of "this number must not be called",
 * used wherever contacts enter a campaign (add, import, duplicate) and before a test call.
 */
import type { Database } from '../db/client.ts';

/**
 * SQL condition, true when the number in `phoneExpr` is on the list of the organisation in
 * `orgExpr` — for set-based statements over many rows (imports of a million contacts). Both
 * arguments are SQL expressions written by callboard (parameter placeholders, column names),
 * never client input.
 */
export function onDoNotCallList(orgExpr: string, phoneExpr: string): string {
  return `EXISTS (SELECT 1 FROM do_not_call dnc WHERE dnc.organization_id = ${orgExpr} AND dnc.phone_number = ${phoneExpr})`;
}

/** Whether one E.164 number is on the organisation's list. */
export async function isOnDoNotCallList(db: Database, organizationId: string, e164: string): Promise<boolean> {
  const entry = await db.prisma.doNotCallEntry.findUnique({
    where: { organizationId_phoneNumber: { organizationId, phoneNumber: e164 } },
    select: { phoneNumber: true },
  });
  return entry !== null;
}
