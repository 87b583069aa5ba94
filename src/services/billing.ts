/**
 * The organisation's calling minutes, kept in seconds so partial minutes are exact. One home for
 * every change of the balance: each one writes a balance_transaction row in the same statement
 * batch, so the balance always equals the sum of its transactions (an OPENING row is written by a
 * trigger when the organisation is created).
 */
import type { BalanceTransactionKind } from '../db/generated/prisma/client.ts';
import type { Tx } from '../db/transactions.ts';
import { InsufficientBalanceError } from '../domain/errors.ts';

/** Adds `deltaSeconds` (negative for a charge) and records it; returns the balance after. */
export async function changeBalance(
  tx: Tx,
  organizationId: string,
  deltaSeconds: number,
  kind: BalanceTransactionKind,
  note: string | null = null,
): Promise<number> {
  const [row] = await tx.$queryRaw<{ balance_after_seconds: number }[]>`
    WITH changed AS (
      UPDATE organization SET balance_seconds = balance_seconds + ${deltaSeconds}::int
       WHERE id = ${organizationId}::uuid RETURNING id, balance_seconds)
    INSERT INTO balance_transaction (id, organization_id, kind, delta_seconds, balance_after_seconds, note)
    SELECT gen_random_uuid(), id, ${kind}::"BalanceTransactionKind", ${deltaSeconds}::int, balance_seconds, ${note}
      FROM changed
    RETURNING balance_after_seconds`;
  if (!row) throw new Error(`organization ${organizationId} vanished`);
  return row.balance_after_seconds;
}

/** Bills connected talk time; returns the balance after the charge (null when nothing was billed). */
export async function chargeSeconds(tx: Tx, organizationId: string, seconds: number, note: string): Promise<number | null> {
  if (seconds <= 0) return null;
  return changeBalance(tx, organizationId, -Math.round(seconds), 'CALL_CHARGE', note);
}

/** Refuses (InsufficientBalance) when the organisation has no minutes left. */
export async function requireBalance(tx: Tx, organizationId: string): Promise<void> {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { balanceSeconds: true } });
  if (org.balanceSeconds <= 0) throw new InsufficientBalanceError(org.balanceSeconds);
}

/** Talk time an attempt is billed for: connected seconds, whole, never negative. */
export function billableSeconds(result: { answeredBy: string | null; durationSeconds: number }): number {
  return result.answeredBy !== null ? Math.max(0, Math.round(result.durationSeconds)) : 0;
}
