import type { Prisma } from './generated/prisma/client.ts';

/** A Prisma interactive transaction: what every function that writes inside one takes. */
export type Tx = Prisma.TransactionClient;

/**
 * How long interactive transactions may wait for a connection and run, by kind — one table, so
 * "TX_OPTIONS" no longer means three things. Prisma's defaults (5 s to run, 2 s to start) fail a
 * burst of concurrent writers that queue on one campaign row lock (or, on PGlite, on the single
 * connection), so none of callboard's transactions use them.
 */
export const TX = {
  /** A lifecycle action or a dialer batch: a stop or retry may touch a million call rows in one
   * statement, and a burst of a few dozen writers queues on one campaign lock. */
  locked: { timeout: 120_000, maxWait: 30_000 },
  /** A contact import: a 1M-row file on PGlite takes minutes (a timeout would roll it back, harmlessly but uselessly). */
  import: { timeout: 30 * 60_000, maxWait: 60_000 },
  /** Copying a campaign's calls (duplicateCampaign): one statement, but longer than a lifecycle action. */
  copy: { timeout: 10 * 60_000, maxWait: 60_000 },
} as const;
