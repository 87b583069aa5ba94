/**
 * callboard with CALLBOARD_PROVIDER=retell against the local Retell emulator: a real HTTP server
 * (webhooks arrive over the network, signed), workers with a RetellProvider each, and the
 * emulator's call log as the ledger of dials.
 */
import { RetellProvider, type RetellProviderOptions } from '../../src/dialer/providers/retell.ts';
import { startWorker, type RunningWorker } from '../../src/dialer/worker.ts';
import type { WorkerOptions } from '../../src/dialer/worker-options.ts';
import { RETELL_WEBHOOK_PATH } from '../../src/files/provider-webhooks.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { RetellEmulator, type RetellEmulatorOptions } from '../emulators/retell/emulator.ts';
import { makeTestApp, type TestApp } from './app.ts';
import type { LedgerDial } from './dialer.ts';

export const FROM_NUMBER = '+14155550100';

export type RetellStack = {
  t: TestApp;
  server: RunningServer;
  emulator: RetellEmulator;
  webhookUrl: string;
  /** A worker dialing through its own RetellProvider, with timings short enough for tests. */
  startWorker(options?: WorkerOptions, provider?: Partial<RetellProviderOptions>): Promise<RunningWorker>;
  /** Every dial the emulator received, as the ledger auditLedger reads. */
  ledger(): LedgerDial[];
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
};

export async function makeRetellStack(options: RetellEmulatorOptions = {}): Promise<RetellStack> {
  const emulator = await new RetellEmulator(options).start();
  const t = await makeTestApp({
    CALLBOARD_PROVIDER: 'retell',
    RETELL_API_KEY: emulator.apiKey,
    RETELL_BASE_URL: emulator.url,
    RETELL_FROM_NUMBER: FROM_NUMBER,
    CALLBOARD_PUBLIC_URL: 'http://127.0.0.1',
  });
  const server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  const webhookUrl = new URL(RETELL_WEBHOOK_PATH, server.url).href;
  emulator.webhookUrl = webhookUrl;
  const workers: RunningWorker[] = [];
  const providers: RetellProvider[] = [];
  const stopWorkers = async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(providers.splice(0).map((p) => p.close()));
  };
  return {
    t,
    server,
    emulator,
    webhookUrl,
    async startWorker(workerOptions = {}, providerOptions = {}) {
      const provider = new RetellProvider({
        config: t.app.config.retell!,
        app: t.app,
        createTimeoutMs: 10_000,
        requestTimeoutMs: 2000,
        createDoubtMs: 5000,
        analysisWaitMs: 2000,
        inboxPollMs: 20,
        onError: (error) => t.app.logger.warn({ err: error }, 'retell provider error'),
        ...providerOptions,
      });
      providers.push(provider);
      const worker = await startWorker(t.app, {
        provider,
        pollIntervalMs: 20,
        recoveryIntervalMs: 200,
        batchWindowMs: 5,
        resultTimeoutMs: 1500,
        // The scenarios include technical errors on purpose; a run of them must not pause the campaign here.
        maxDialFailures: 10_000,
        ...workerOptions,
      });
      workers.push(worker);
      return worker;
    },
    ledger: () => emulator.calls.map((c) => ({ attemptId: c.metadata.attempt_id, callId: c.metadata.call_id })),
    stopWorkers,
    async close() {
      await stopWorkers();
      await server.close();
      await emulator.close();
      await t.close();
    },
  };
}
