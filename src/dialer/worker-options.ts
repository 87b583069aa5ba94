import type { TelephonyProvider } from './provider.ts';

export interface WorkerOptions {
  /** Written into lease_owner; defaults to CALLBOARD_WORKER_ID, else host:pid:random. */
  workerId?: string;
  /** Defaults to the provider of the configuration (the simulator); closed by stop() only if
   * the worker created it. */
  provider?: TelephonyProvider;
  /** How often to look for due calls and test calls when nothing wakes the worker (a result
   * freeing a slot wakes it at once). */
  pollIntervalMs?: number;
  /** How often to scan for expired leases and stale test calls: 5 s, a sixth of the lease. */
  recoveryIntervalMs?: number;
  /**
   * 20 ms: results and freed slots are gathered this long before one transaction applies or
   * refills them all. At high simulator speeds results arrive every millisecond; one
   * transaction per result would spend the database on transaction overhead.
   */
  batchWindowMs?: number;
  /**
   * 30 s: how long a claimed call stays reserved without its worker renewing it — three renewals
   * (every 10 s) can fail before another worker takes over, and a dead worker's calls are picked
   * up within half a minute.
   */
  leaseMs?: number;
  /** 10 s: a third of the lease, so two missed renewals still leave the lease valid. */
  renewIntervalMs?: number;
  /** Graceful stop: how long to let calls in progress finish before releasing their leases. */
  stopTimeoutMs?: number;
  /** Calls this worker holds at most (its share of the work when several run). */
  capacity?: number;
  /** A dialed call whose result has not arrived after this long is looked up at the provider
   * (results are delivered at most once). 60 s: longer than most calls at real speed. */
  resultTimeoutMs?: number;
  /** Consecutive dial failures of one campaign before it pauses with SYSTEM_FAILURE. */
  maxDialFailures?: number;
  /** How long a call whose dial the provider refused waits before its next try. */
  dialFailureBackoffMs?: number;
}

export interface RunningWorker {
  readonly id: string;
  /** Calls this worker currently holds a lease on. */
  readonly heldCalls: number;
  /** Looks for work now instead of at the next poll. */
  wake(): void;
  /** Graceful: stop claiming, let calls in progress finish (up to stopTimeoutMs), release the rest. */
  stop(): Promise<void>;
  /**
   * What `kill -9` does to a worker, for in-process tests: everything stops where it is — no
   * renewals, no results, no cleanup; its leases stay in the database until they expire and
   * another worker recovers its calls. The database connection is left to its owner.
   */
  abandon(): Promise<void>;
}

/** The defaults, with the reasons for each on WorkerOptions. */
export const WORKER_DEFAULTS = {
  pollIntervalMs: 1000,
  recoveryIntervalMs: 5000,
  batchWindowMs: 20,
  leaseMs: 30_000,
  renewIntervalMs: 10_000,
  stopTimeoutMs: 20_000,
  capacity: 500,
  resultTimeoutMs: 60_000,
  maxDialFailures: 5,
  dialFailureBackoffMs: 60_000,
};
