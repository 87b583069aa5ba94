import { expect } from 'vitest';
import type { TelephonyProvider } from '../../src/dialer/provider.ts';
import { createSimulator } from '../../src/dialer/providers/simulator.ts';
import type { SimulatorOptions } from '../../src/dialer/providers/simulator-options.ts';
import { startWorker, type RunningWorker, type WorkerOptions } from '../../src/dialer/worker.ts';
import { readLedger } from '../../src/dialer/providers/simulator-ledger.ts';
import { claimDueCalls } from '../../src/dialer/sql/claim-due-calls.ts';
import { NOT_DIALED_MESSAGE } from '../../src/dialer/sql/revert-undialed.ts';
import { CreateAgentDocument, CreateCampaignDocument, StartCampaignDocument, type CampaignSettingsInput } from '../generated/operations.ts';
import type { TestApp, TestOrg } from './app.ts';
import { addContactsOk, usNumbers } from './calls.ts';
import { dbIdOf } from './campaigns.ts';

/**
 * An IANA zone where the local time is now between 10:00 and 18:00, so a campaign whose window is
 * "every day, 00:00–23:59" may dial for the next two hours despite the 08:00–21:00 compliance
 * clamp of calling-window.ts. Chosen at test time (fixed-offset Etc/GMT zones cover every hour).
 */
export function zoneInCallingHours(now = new Date()): string {
  for (let offset = -12; offset <= 14; offset++) {
    // Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.
    const zone = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(now));
    if (hour >= 10 && hour < 18) return zone;
  }
  throw new Error('no zone in calling hours (impossible: offsets span 26 hours)');
}

/** An Etc zone where it is the middle of the night now (outside any calling window). */
export function zoneAtNight(now = new Date()): string {
  for (let offset = -12; offset <= 14; offset++) {
    const zone = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(now));
    if (hour >= 1 && hour < 5) return zone;
  }
  throw new Error('no zone at night');
}

/** Retries without delay, so a campaign runs to its end within a test. */
export const IMMEDIATE_RETRIES = {
  BUSY: { delaySeconds: 0 },
  NO_ANSWER: { delaySeconds: 0 },
  NO_MESSAGE: { delaySeconds: 0 },
  ISSUE_DIALING: { delaySeconds: 0 },
  TECHNICAL_ERROR: { delaySeconds: 0 },
};

const ALL_DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

let numberOffset = 0;

/**
 * A campaign with an agent and `contacts` valid contacts, dialable right now (see
 * zoneInCallingHours), through the API; started unless `start: false`.
 */
export async function makeDialableCampaign(
  org: TestOrg,
  options: { contacts: number; settings?: CampaignSettingsInput; start?: boolean; name?: string; numbers?: string[] },
) {
  const agent = await org.exec(CreateAgentDocument, {
    input: { name: 'Ava', script: 'You are Ava. Hi {{name}}, I am calling about your renewal.', voice: 'alloy' },
  });
  if (agent.createAgent.__typename !== 'CreateAgentPayload') throw new Error(agent.createAgent.__typename);
  const settings: CampaignSettingsInput = {
    maxAttempts: 3,
    maxConcurrentCalls: 20,
    timezone: zoneInCallingHours(),
    callingWindow: { days: [...ALL_DAYS], start: '00:00', end: '23:59' },
    retryPolicy: IMMEDIATE_RETRIES,
    ...options.settings,
  };
  const created = await org.exec(CreateCampaignDocument, {
    input: { name: options.name ?? 'Dialer run', agentId: agent.createAgent.agent.id, settings },
  });
  if (created.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error(JSON.stringify(created.createCampaign));
  const campaign = { id: created.createCampaign.campaign.id, dbId: dbIdOf(created.createCampaign.campaign.id) };
  const numbers = options.numbers ?? usNumbers(options.contacts, (numberOffset += options.contacts) - options.contacts);
  for (let i = 0; i < numbers.length; i += 500) {
    await addContactsOk(org, {
      campaignId: campaign.id,
      // Each contact lives in the campaign's zone (CONTACT source), so whether it is dialable now
      // does not depend on where its (made-up) number's area code lies.
      contacts: numbers.slice(i, i + 500).map((phoneNumber, j) => ({ phoneNumber, name: `Contact ${i + j + 1}`, timezone: settings.timezone })),
    });
  }
  if (options.start !== false) {
    const started = await org.exec(StartCampaignDocument, { input: { id: campaign.id } });
    if (started.startCampaign.__typename !== 'StartCampaignPayload') throw new Error(JSON.stringify(started.startCampaign));
  }
  return campaign;
}

/** Polls `check` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 30_000, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function campaignStatus(t: TestApp, campaignId: string) {
  return t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaignId }, select: { status: true, pauseReason: true } });
}

/** One dial a provider placed, from its own records (the simulator's ledger file, the Retell emulator's call log). */
export type LedgerDial = { attemptId: string; callId: string | null };

/**
 * What the provider's ledger says against the attempt rows, for one campaign:
 *  - every ledger dial is an attempt row of this campaign that is not marked "never dialed";
 *  - no attempt was dialed twice, and no contact more often than its attempt rows allow;
 *  - every attempt row that is not "never dialed" was dialed (it is in the ledger);
 *  - no call has more dials than maxAttempts (its budget, retryFailed aside).
 */
export async function auditLedger(t: TestApp, ledgerPath: string | LedgerDial[], campaignId: string) {
  const [attempts, campaign] = await Promise.all([
    t.app.db.prisma.callAttempt.findMany({ where: { campaignId, isTest: false } }),
    t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } }),
  ]);
  const byId = new Map(attempts.map((a) => [a.id, a]));
  const dials = typeof ledgerPath === 'string' ? await readLedger(ledgerPath) : ledgerPath;
  const ledger = dials.filter((e) => byId.has(e.attemptId));
  const neverDialed = attempts.filter((a) => a.outcome === 'NOT_DIALED');
  expect(neverDialed.every((a) => a.errorMessage?.startsWith('not dialed'))).toBe(true);
  const dialedAttempts = attempts.filter((a) => a.outcome !== 'NOT_DIALED');
  const ledgerAttempts = ledger.map((e) => e.attemptId);
  // Each attempt dialed at most once (the simulator appends one line per accepted dial).
  expect(new Set(ledgerAttempts).size).toBe(ledgerAttempts.length);
  // Dials happened exactly for the attempts that count.
  expect(new Set(ledgerAttempts)).toEqual(new Set(dialedAttempts.map((a) => a.id)));
  expect(neverDialed.some((a) => ledgerAttempts.includes(a.id))).toBe(false);
  const dialsPerCall = new Map<string, number>();
  for (const e of ledger) dialsPerCall.set(e.callId!, (dialsPerCall.get(e.callId!) ?? 0) + 1);
  const calls = await t.app.db.prisma.call.findMany({ where: { campaignId }, select: { id: true, attemptCount: true, callbacksUsed: true } });
  for (const call of calls) {
    const dials = dialsPerCall.get(call.id) ?? 0;
    expect(dials, `dials of call ${call.id}`).toBe(call.attemptCount);
    // The attempt budget, plus the callbacks the person asked for (their own budget).
    expect(call.callbacksUsed).toBeLessThanOrEqual(campaign.maxCallbacks);
    expect(dials).toBeLessThanOrEqual(campaign.maxAttempts + call.callbacksUsed);
  }
  return { dials: ledger.length, neverDialed: neverDialed.length };
}

export { NOT_DIALED_MESSAGE };

/**
 * Lets the dialer finish a RUNNING campaign whose calls are all in a final state, the way it does
 * in production: its next claim finds nothing open and completes the campaign (same transition,
 * version bump and CAMPAIGN_COMPLETE event as every lifecycle action).
 */
export async function completeByDialer(t: TestApp, campaignId: string): Promise<void> {
  const result = await claimDueCalls(t.app, campaignId, { workerId: 'test-dialer', leaseMs: 30_000, limit: 1 });
  expect(result).toMatchObject({ claimed: [], completed: true });
}

/**
 * Workers for one test file, each with its own simulator, polling fast: `start()` in a test,
 * `stopAll()` in afterEach (a worker closes only a provider it created, so the pool closes them).
 */
export function makeWorkerPool(t: () => TestApp) {
  const workers: RunningWorker[] = [];
  const providers: TelephonyProvider[] = [];
  return {
    async start(sim: SimulatorOptions = {}, options: WorkerOptions = {}) {
      const provider = createSimulator({ speed: 5000, seed: 3, ...sim });
      providers.push(provider);
      const worker = await startWorker(t().app, { provider, pollIntervalMs: 20, recoveryIntervalMs: 200, batchWindowMs: 5, ...options });
      workers.push(worker);
      return worker;
    },
    async stopAll() {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await Promise.all(providers.splice(0).map((p) => p.close()));
    },
  };
}
