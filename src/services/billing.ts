/**
 * The organisation's calling minutes, kept in seconds so partial minutes are exact. One home for
 * charging (campaign calls and test calls alike) and for the balance check of start / resume.
 */
import type { Tx } from '../db/transactions.ts';
import { InsufficientBalanceError } from '../domain/errors.ts';

/** Bills connected talk time; returns the balance after the charge (null when nothing was billed). */
export async function chargeSeconds(tx: Tx, organizationId: string, seconds: number): Promise<number | null> {
  if (seconds <= 0) return null;
  const [org] = await tx.$queryRaw<{ balance_seconds: number }[]>`
    UPDATE organization SET balance_seconds = balance_seconds - ${Math.round(seconds)}::int
     WHERE id = ${organizationId}::uuid RETURNING balance_seconds`;
  return org?.balance_seconds ?? null;
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
