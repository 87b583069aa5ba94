import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from 'retell-sdk';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestOrg } from './helpers/app.ts';
import { expectApiStatsExact } from './helpers/calls.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';
import { pruneProviderEvents } from '../src/services/provider-events.ts';
import { makeRetellStack, type RetellStack } from './helpers/retell.ts';

let s: RetellStack;
let org: TestOrg;

beforeAll(async () => {
  s = await makeRetellStack();
  org = await s.t.makeOrg();
});
afterEach(async () => {
  await s.stopWorkers();
  s.emulator.resetFaults();
  s.emulator.webhookUrl = s.webhookUrl;
});
afterAll(() => s?.close());

const SETTINGS = { maxConcurrentCalls: 12, maxAttempts: 2, maxCallbacks: 0 };

/** COMPLETED, stats equal the rows, one Retell call per attempt row, each with its number's outcome. */
async function expectNoLossNoDuplicate(campaign: { id: string; dbId: string }, contacts: number) {
  await waitFor(async () => (await campaignStatus(s.t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 45_000);
  const stats = await expectApiStatsExact(s.t, org, campaign.id);
  expect(stats.total).toBe(contacts);
  const audit = await auditLedger(s.t, s.ledger(), campaign.dbId);
  expect(audit.dials).toBe(stats.attempts);
  expect([...s.emulator.callsPerAttempt().values()].filter((n) => n > 1)).toEqual([]);
  const attempts = await s.t.app.db.prisma.callAttempt.findMany({ where: { campaignId: campaign.dbId } });
  const byAttempt = new Map(s.emulator.calls.map((c) => [c.metadata.attempt_id, c]));
  // Attempts put back undialed (the provider refused the create) keep NOT_DIALED and have no Retell call.
  for (const a of attempts) expect(a.outcome, a.toNumber).toBe(byAttempt.get(a.id)?.scenario.expected ?? 'NOT_DIALED');
  return stats;
}

async function storedEvents(): Promise<number> {
  return s.t.app.db.prisma.providerEvent.count();
}

async function postWebhook(body: string, signature?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-retell-signature'] = signature;
  return fetch(s.webhookUrl, { method: 'POST', headers, body });
}

describe('POST /webhooks/retell', () => {
  const body = JSON.stringify({
    event: 'call_started',
    call: { call_id: 'call_forged_1', call_status: 'ongoing', metadata: { attempt_id: '00000000-0000-4000-8000-000000000001' } },
  });

  it.each([
    ['missing', undefined],
    ['signed with another key', 'bad'],
    ['stale (10 minutes old)', 'stale'],
    ['malformed', 'v=abc,d=zz'],
  ])('refuses a %s signature with 401 and records nothing', async (_what, kind) => {
    const before = await storedEvents();
    let signature = kind;
    if (kind === 'bad') signature = await sign(body, 'key_someone_else');
    if (kind === 'stale') {
      const v = Date.now() - 10 * 60_000;
      signature = `v=${v},d=${createHmac('sha256', s.emulator.apiKey)
        .update(body + v)
        .digest('hex')}`;
    }
    const res = await postWebhook(body, signature);
    expect(res.status).toBe(401);
    expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await storedEvents()).toBe(before);
  });

  it('refuses a signed body that was altered on the way', async () => {
    const signature = await sign(body, s.emulator.apiKey);
    const res = await postWebhook(body.replace('ongoing', 'ended'), signature);
    expect(res.status).toBe(401);
  });

  it('records a signed event once, however often it is delivered', async () => {
    const before = await storedEvents();
    const signed = JSON.stringify({ event: 'call_ended', call: { call_id: 'call_repeat_1', call_status: 'ended', disconnection_reason: 'agent_hangup' } });
    for (let i = 0; i < 3; i++) expect((await postWebhook(signed, await sign(signed, s.emulator.apiKey))).status).toBe(204);
    expect(await storedEvents()).toBe(before + 1);
  });

  it('keeps applied events for a week, then deletes them; unapplied ones stay whatever their age', async () => {
    const prisma = s.t.app.db.prisma;
    const row = (callId: string, days: number, applied: boolean) => ({
      provider: 'retell',
      providerCallId: callId,
      event: 'call_ended',
      payload: {},
      receivedAt: new Date(Date.now() - days * 86_400_000),
      processedAt: applied ? new Date(Date.now() - days * 86_400_000) : null,
    });
    await prisma.providerEvent.createMany({ data: [row('call_old_applied', 8, true), row('call_recent_applied', 6, true), row('call_old_pending', 8, false)] });
    expect(await pruneProviderEvents(s.t.app)).toBeGreaterThanOrEqual(1);
    const left = await prisma.providerEvent.findMany({ where: { providerCallId: { in: ['call_old_applied', 'call_recent_applied', 'call_old_pending'] } } });
    expect(left.map((e) => e.providerCallId).sort()).toEqual(['call_old_pending', 'call_recent_applied']);
    await prisma.providerEvent.deleteMany({ where: { providerCallId: { in: ['call_recent_applied', 'call_old_pending'] } } });
  });

  it('answers 400 to a signed body that is not a Retell call event, and ignores events it does not use', async () => {
    const junk = JSON.stringify({ event: 'call_ended', call: { nope: true } });
    expect((await postWebhook(junk, await sign(junk, s.emulator.apiKey))).status).toBe(400);
    const other = JSON.stringify({ event: 'transcript_updated', call: { call_id: 'x', call_status: 'ongoing' } });
    expect((await postWebhook(other, await sign(other, s.emulator.apiKey))).status).toBe(204);
  });
});

describe('faults, each with 0 lost results and 0 duplicate calls', () => {
  it('429 and 500 on create: the call goes back to the queue and is placed once, later', async () => {
    s.emulator.faults.createErrors.push(429, 500, 500, 429);
    await s.startWorker({ dialFailureBackoffMs: 100 }, { createDoubtMs: 300 });
    const campaign = await makeDialableCampaign(org, { contacts: 24, settings: SETTINGS });
    await expectNoLossNoDuplicate(campaign, 24);
    expect(s.emulator.faults.createErrors).toEqual([]);
  });

  it('a slow create that still creates (the caller timed out) is found by its attempt id, never placed again', async () => {
    s.emulator.faults.slowCreates = 6;
    s.emulator.faults.slowCreateMs = 1500;
    await s.startWorker({}, { createTimeoutMs: 400, createDoubtMs: 2000 });
    const before = s.emulator.calls.length;
    const campaign = await makeDialableCampaign(org, { contacts: 24, settings: SETTINGS });
    await expectNoLossNoDuplicate(campaign, 24);
    expect(s.emulator.faults.slowCreates).toBe(0);
    // The timed-out creates are the attempts' provider calls: no second call for any of them.
    const attempts = await s.t.app.db.prisma.callAttempt.findMany({ where: { campaignId: campaign.dbId } });
    expect(new Set(attempts.map((a) => a.providerCallId))).toEqual(new Set(s.emulator.calls.slice(before).map((c) => c.call_id)));
  });

  it('duplicate and out-of-order webhooks: applied once, a late call_started never moves a finished attempt back', async () => {
    s.emulator.faults.duplicateWebhooks = true;
    s.emulator.faults.reorderWebhooks = true;
    await s.startWorker();
    const before = s.emulator.webhooks.length;
    const campaign = await makeDialableCampaign(org, { contacts: 24, settings: SETTINGS });
    await expectNoLossNoDuplicate(campaign, 24);
    // Let the last (stale) snapshots arrive and be taken, then check nothing moved.
    await waitFor(() => s.emulator.webhooks.length - before >= s.emulator.calls.length, 'webhooks to be delivered');
    const ended = await s.t.app.db.prisma.callAttempt.count({ where: { campaignId: campaign.dbId, endedAt: { not: null } } });
    const all = await s.t.app.db.prisma.callAttempt.count({ where: { campaignId: campaign.dbId } });
    expect(ended).toBe(all);
    await expectApiStatsExact(s.t, org, campaign.id);
  });

  it.each(['bad', 'stale'] as const)('webhooks with %s signatures are refused; results come from get-call', async (signature) => {
    s.emulator.faults.signature = signature;
    const callsBefore = s.emulator.calls.length;
    await s.startWorker();
    const campaign = await makeDialableCampaign(org, { contacts: 12, settings: SETTINGS });
    await expectNoLossNoDuplicate(campaign, 12);
    const ours = new Set(s.emulator.calls.slice(callsBefore).map((c) => c.call_id));
    const sent = s.emulator.webhooks.filter((w) => ours.has(w.callId));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((w) => w.status === 401)).toBe(true);
  });

  it('a webhook endpoint that keeps failing: Retell retries, callboard finds every result with get-call', async () => {
    const failing: Server = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    s.emulator.webhookUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/webhooks/retell`;
    try {
      const before = s.emulator.webhooks.length;
      await s.startWorker();
      const campaign = await makeDialableCampaign(org, { contacts: 12, settings: SETTINGS });
      await expectNoLossNoDuplicate(campaign, 12);
      expect(s.emulator.webhooks.slice(before).some((w) => w.attempt === 3 && w.status === 500)).toBe(true);
    } finally {
      failing.close();
    }
  });

  it('webhooks never sent: every result comes from get-call', async () => {
    s.emulator.faults.dropWebhooks = true;
    const before = s.emulator.webhooks.length;
    await s.startWorker();
    const campaign = await makeDialableCampaign(org, { contacts: 12, settings: SETTINGS });
    await expectNoLossNoDuplicate(campaign, 12);
    expect(s.emulator.webhooks.length).toBe(before);
  });

  it('a worker killed between create and webhook: another takes its calls over and recovers them through Retell', async () => {
    s.emulator.faults.dropWebhooks = true; // nothing but the provider's own records can tell
    const victim = await s.startWorker({ leaseMs: 1500, renewIntervalMs: 500 });
    const before = s.emulator.calls.length;
    const campaign = await makeDialableCampaign(org, { contacts: 12, settings: SETTINGS });
    await waitFor(() => s.emulator.calls.length - before >= 6, 'calls to be placed');
    await victim.abandon(); // what kill -9 leaves: leases held, calls placed, no result applied
    await s.startWorker({ leaseMs: 1500, renewIntervalMs: 500 });
    await expectNoLossNoDuplicate(campaign, 12);
  });
});
