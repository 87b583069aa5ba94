import type { Prisma, PrismaClient } from './generated/prisma/client.ts';

/** A Prisma interactive transaction: what every function that writes inside one takes. */
export type Tx = Prisma.TransactionClient;

/** How a kind of transaction runs: Prisma's two limits, and how often it may be run again. */
export type TxKind = {
  timeout: number;
  maxWait: number;
  /**
   * Runs again (after a short random pause) when PostgreSQL aborts it as a deadlock victim or
   * for a serialization conflict: both mean "nothing was written, try again". 0 for work that
   * cannot be repeated (an import consumes its upload stream).
   */
  retries: number;
};

/**
 * How long interactive transactions may wait for a connection and run, by kind — one table, so
 * "TX_OPTIONS" no longer means three things. Prisma's defaults (5 s to run, 2 s to start) fail a
 * burst of concurrent writers that queue on one campaign row lock (or, on PGlite, on the single
 * connection), so none of callboard's transactions use them.
 */
export const TX = {
  /** A lifecycle action or a dialer batch: a stop or retry may touch a million call rows in one
   * statement, and a burst of a few dozen writers queues on one campaign lock. */
  locked: { timeout: 120_000, maxWait: 30_000, retries: 3 },
  /** A contact import: a 1M-row file on PGlite takes minutes (a timeout would roll it back, harmlessly but uselessly). */
  import: { timeout: 30 * 60_000, maxWait: 60_000, retries: 0 },
  /** Copying a campaign's calls (duplicateCampaign): one statement, but longer than a lifecycle action. */
  copy: { timeout: 10 * 60_000, maxWait: 60_000, retries: 1 },
} as const satisfies Record<string, TxKind>;

/** PostgreSQL's "deadlock detected" and "could not serialize access": the transaction was rolled back whole. */
const TRANSIENT_SQLSTATES = ['40P01', '40001'];

export function isTransientConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { meta?: { code?: unknown } }).meta;
  if (typeof meta?.code === 'string' && TRANSIENT_SQLSTATES.includes(meta.code)) return true;
  // Raw queries through a driver adapter report the SQLSTATE only in the message.
  return TRANSIENT_SQLSTATES.some((state) => error.message.includes(`Code: \`${state}\``));
}

/**
 * Runs `work` in one transaction of this kind, again (up to kind.retries times) when PostgreSQL
 * rolled it back for a deadlock or serialization conflict. `work` must have no effects outside
 * the transaction, since it may run more than once.
 */
export async function transaction<T>(db: { prisma: PrismaClient }, kind: TxKind, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.prisma.$transaction(work, { timeout: kind.timeout, maxWait: kind.maxWait });
    } catch (error) {
      if (attempt >= kind.retries || !isTransientConflict(error)) throw error;
      // Random, so that the two sides of a deadlock do not meet again in step.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}
