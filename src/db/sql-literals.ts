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

/**
 * Marks the statements a process runs on a timer rather than per request or per event (the
 * realtime idle poll, the API-key sweep of open streams): tests that count SQL per event or per
 * request leave them out.
 */
export const POLL_SQL_TAG = 'callboard:realtime-poll';
