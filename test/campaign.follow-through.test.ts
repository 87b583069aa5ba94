import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../src/dialer/providers/simulator-options.ts';
import { AddContactsDocument, CallbackCallsDocument, CompleteCampaignDocument, ContinuousCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectApiStatsExact, usNumbers } from './helpers/calls.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, makeWorkerPool, waitFor, zoneAtNight, zoneInCallingHours } from './helpers/dialer.ts';

let t: TestApp;
let org: TestOrg;
const pool = makeWorkerPool(() => t);

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterEach(() => pool.stopAll());
const dir = mkdtempSync(path.join(tmpdir(), 'callboard-follow-through-'));
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const finalCount = async (campaignId: string) => t.app.db.prisma.call.count({ where: { campaignId, status: { in: ['COMPLETED', 'FAILED', 'SKIPPED'] } } });

describe('continuous campaigns (autoComplete false)', () => {
  it('stay RUNNING and idle when every call is done, dial contacts added later, and end only with completeCampaign', async () => {
    await pool.start({ callbackShare: 0 });
    const campaign = await makeDialableCampaign(org, { contacts: 5, name: 'Always on', settings: { autoComplete: false } });
    await waitFor(async () => (await finalCount(campaign.dbId)) === 5, 'the first contacts to be done', 30_000);
    // The dialer has seen it empty: it does not complete it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const idle = (await org.exec(ContinuousCampaignDocument, { id: campaign.id })).campaign!;
    expect(idle).toMatchObject({
      status: 'RUNNING',
      idle: true,
      settings: { autoComplete: false, maxCallbacks: 1 },
      stats: { total: 5, pending: 0, estimatedCompletionAt: null },
    });

    const zone = zoneInCallingHours();
    const later = usNumbers(3, 7_000).map((phoneNumber, i) => ({ phoneNumber, name: `Later ${i}`, timezone: zone }));
    const added = await org.exec(AddContactsDocument, { input: { campaignId: campaign.id, contacts: later } });
    expect(added.addContacts.__typename).toBe('AddContactsPayload');
    await waitFor(async () => (await finalCount(campaign.dbId)) === 8, 'the contacts added later to be dialed', 30_000);
    expect((await campaignStatus(t, campaign.dbId)).status).toBe('RUNNING');

    const done = await org.exec(CompleteCampaignDocument, { input: { id: campaign.id } });
    expect(done.completeCampaign).toMatchObject({ __typename: 'CompleteCampaignPayload', campaign: { status: 'COMPLETED', idle: false } });
    const refused = await org.exec(AddContactsDocument, {
      input: { campaignId: campaign.id, contacts: usNumbers(1, 7_100).map((phoneNumber) => ({ phoneNumber })) },
    });
    expect(refused.addContacts).toMatchObject({ __typename: 'InvalidCampaignTransition', status: 'COMPLETED' });
  });

  it('refuses completeCampaign while calls are open, saying how many, and changes nothing', async () => {
    // Recipients where it is night: their calls wait, open, for the morning.
    const campaign = await makeDialableCampaign(org, { contacts: 4, settings: { autoComplete: false, timezone: zoneAtNight() } });
    const refused = await org.exec(CompleteCampaignDocument, { input: { id: campaign.id } });
    expect(refused.completeCampaign).toMatchObject({ __typename: 'CallsStillOpen', openCalls: 4 });
    expect((await campaignStatus(t, campaign.dbId)).status).toBe('RUNNING');
  });

  it('may start with no contacts at all, to wait for the ones a CRM will add', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 0, settings: { autoComplete: false } });
    const read = (await org.exec(ContinuousCampaignDocument, { id: campaign.id })).campaign!;
    expect(read).toMatchObject({ status: 'RUNNING', idle: true });
  });
});

describe('callbacks at the time the person asked for', () => {
  it('calls back at the requested time, once (maxCallbacks 1), without using the attempt budget', async () => {
    // Everyone asks to be called back in two simulated minutes (24 ms at 5000×).
    await pool.start({ mix: { CALLBACK_REQUESTED: 1 }, callbackShare: 1, callbackDelaySeconds: [120, 120] });
    const campaign = await makeDialableCampaign(org, { contacts: 3, settings: { maxAttempts: 1, maxCallbacks: 1 } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 30_000);
    const calls = (await org.exec(CallbackCallsDocument, { id: campaign.id })).campaign!.calls.edges.map((e) => e.node);
    for (const call of calls) {
      // Dialed, asked for a callback, called back (outside maxAttempts 1), asked again: done.
      expect(call).toMatchObject({ status: 'COMPLETED', outcome: 'CALLBACK_REQUESTED', callbacksUsed: 1, attemptCount: 2 });
      const [first, second] = call.attempts;
      expect(first!.callbackAt).not.toBeNull();
      expect(second!.number).toBe(2);
    }
    const rows = await t.app.db.prisma.callAttempt.findMany({ where: { campaignId: campaign.dbId }, orderBy: [{ callId: 'asc' }, { number: 'asc' }] });
    for (let i = 0; i < rows.length; i += 2) {
      // The callback was placed no earlier than the time asked for.
      expect(rows[i + 1]!.startedAt.getTime()).toBeGreaterThanOrEqual(rows[i]!.callbackAt!.getTime());
    }
  });

  it('moves a callback that falls outside the calling window to the window’s next opening in the recipient’s zone, and says so', async () => {
    // The window closes two minutes from now (recipient-local); the person asks for a time after it.
    const zone = zoneInCallingHours();
    const offsetHours = zone === 'UTC' ? 0 : -Number(zone.replace('Etc/GMT', ''));
    const local = new Date(Date.now() + offsetHours * 3600_000);
    const endMinutes = local.getUTCHours() * 60 + local.getUTCMinutes() + 2;
    const end = `${String(Math.floor(endMinutes / 60)).padStart(2, '0')}:${String(endMinutes % 60).padStart(2, '0')}`;
    await pool.start({ speed: 1000, mix: { CALLBACK_REQUESTED: 1 }, callbackShare: 1, callbackDelaySeconds: [600_000, 600_000] });
    const campaign = await makeDialableCampaign(org, {
      contacts: 1,
      settings: {
        timezone: zone,
        callingWindow: { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], start: '00:00', end },
      },
    });
    const call = await waitFor(
      async () => {
        const node = (await org.exec(CallbackCallsDocument, { id: campaign.id })).campaign!.calls.edges[0]!.node;
        return node.status === 'RETRY_SCHEDULED' ? node : null;
      },
      'the callback to be scheduled',
      30_000,
    );
    expect(call.callbacksUsed).toBe(1);
    const asked = new Date(call.callbackAt!);
    // The next 08:00 recipient-local (the window opens at 00:00, legal hours at 08:00) after the time asked for.
    const askedLocal = new Date(asked.getTime() + offsetHours * 3600_000);
    const opening = Date.UTC(askedLocal.getUTCFullYear(), askedLocal.getUTCMonth(), askedLocal.getUTCDate(), 8, 0) - offsetHours * 3600_000;
    const expected = opening > asked.getTime() ? opening : opening + 24 * 3600_000;
    expect(new Date(call.nextAttemptAt!).getTime()).toBe(expected);
    expect(call.waitReason).toMatch(/^callback requested for .* \(1 of 1 callbacks\); outside calling hours.*next opening/);
    const stats = (await org.exec(ContinuousCampaignDocument, { id: campaign.id })).campaign!.stats;
    expect(stats.callbacksScheduled).toBe(1);
  });

  it('holds its budget across an abandoned worker (kill -9): each person asking for a callback is called back once, no more (ledger)', async () => {
    const ledgerPath = path.join(dir, 'callbacks.jsonl');
    // Everyone asks to be called back, in one simulated minute; instances sharing a ledger share their options.
    const asks: SimulatorOptions = { speed: 1000, ledgerPath, mix: { CALLBACK_REQUESTED: 1 }, callbackShare: 1, callbackDelaySeconds: [60, 60] };
    const lease = { leaseMs: 1000, renewIntervalMs: 300 };
    const first = await pool.start(asks, lease);
    const campaign = await makeDialableCampaign(org, { contacts: 40, settings: { maxConcurrentCalls: 10, maxAttempts: 1, maxCallbacks: 1 } });
    const attempts = () => t.app.db.prisma.callAttempt.count({ where: { campaignId: campaign.dbId } });
    await waitFor(async () => first.heldCalls >= 5 && (await attempts()) >= 20, 'the first worker to be busy');
    await first.abandon();
    await pool.start(asks, lease);
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the second worker to finish', 60_000);
    await auditLedger(t, ledgerPath, campaign.dbId);
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId } });
    expect(calls.map((c) => [c.status, c.outcome, c.callbacksUsed, c.attemptCount])).toEqual(Array(40).fill(['COMPLETED', 'CALLBACK_REQUESTED', 1, 2]));
    await expectApiStatsExact(t, org, campaign.id);
  });
});
