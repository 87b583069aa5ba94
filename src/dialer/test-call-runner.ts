import type { CallResult, DialRequest } from './provider.ts';
import { claimTestCalls } from './sql/claim-test-calls.ts';
import { NOT_DIALED_MESSAGE } from './sql/revert-undialed.ts';
import { applyTestCallResult, cancelUndialedTestCall, findStaleTestCalls } from './sql/test-call-results.ts';
import type { WorkerContext } from './worker-context.ts';

type HeldTest = { attemptId: string; dialing: boolean };

/** The worker's test calls (placeTestCall): picked up, dialed, finished, recovered after a crash. */
export class TestCallRunner {
  private readonly tests = new Map<string, HeldTest>(); // by attemptId
  private readonly lookups = new Map<string, number>();

  constructor(private readonly w: WorkerContext) {}

  get size(): number {
    return this.tests.size;
  }

  async pickUp(): Promise<void> {
    if (this.tests.size >= 20) return;
    const rows = await claimTestCalls(this.w.app, 5);
    for (const row of rows) {
      if (this.w.isDead()) return;
      const test: HeldTest = { attemptId: row.attemptId, dialing: true };
      this.tests.set(row.attemptId, test);
      this.w.track(this.dial(test, { attemptId: row.attemptId, callId: null, to: row.to, agent: row.agent, variables: row.variables }));
    }
  }

  private async dial(test: HeldTest, request: DialRequest): Promise<void> {
    const { w } = this;
    try {
      const { providerCallId } = await w.provider.dial(request);
      if (w.isDead()) return;
      test.dialing = false;
      w.accepted.set(test.attemptId, providerCallId);
    } catch (error) {
      if (w.isDead()) return;
      test.dialing = false;
      w.log.warn({ err: error, attemptId: test.attemptId }, 'test call dial failed');
      await this.lookup(test.attemptId, `not dialed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async finish(result: CallResult): Promise<void> {
    try {
      await applyTestCallResult(this.w.app, result);
      this.tests.delete(result.attemptId);
    } catch (error) {
      if (!this.w.isDead()) this.w.log.error({ err: error, attemptId: result.attemptId }, 'applying a test call result failed');
    }
  }

  /** Open test calls taken more than a lease ago (by anyone): their worker may be gone. */
  async recoverStale(): Promise<void> {
    const { w } = this;
    const stale = await findStaleTestCalls(w.app, w.opts.leaseMs);
    const now = Date.now();
    for (const row of stale) {
      if (w.isDead()) return;
      if (this.tests.get(row.id)?.dialing) continue;
      if (now - (this.lookups.get(row.id) ?? 0) < w.opts.pollIntervalMs * 5) continue;
      this.lookups.set(row.id, now);
      await this.lookup(row.id, NOT_DIALED_MESSAGE);
    }
    if (this.lookups.size > 1000) this.lookups.clear();
  }

  private async lookup(attemptId: string, notDialedMessage: string): Promise<void> {
    const found = await this.w.provider.lookupByAttempt(attemptId).catch(() => null);
    if (!found || this.w.isDead()) return;
    if (found.state === 'finished') await this.finish(found.result);
    else if (found.state === 'unknown') {
      await cancelUndialedTestCall(this.w.app, attemptId, notDialedMessage);
      this.tests.delete(attemptId);
    }
  }
}
