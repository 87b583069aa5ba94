import { Prisma } from './generated/prisma/client.ts';

/**
 * A constant list of callboard's own identifiers (statuses) inlined as SQL literals:
 * `'PENDING', 'RETRY_SCHEDULED'`. For predicates that must match a partial index's, which the
 * planner can prove only from literals, not from a bound array parameter. Never for client input.
 */
export function literalList(values: readonly string[]): Prisma.Sql {
  for (const v of values) if (!/^[A-Z_]+$/.test(v)) throw new Error(`not an identifier constant: ${v}`);
  return Prisma.raw(values.map((v) => `'${v}'`).join(', '));
}
