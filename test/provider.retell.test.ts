import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../src/domain/ids.ts';
import { SCENARIOS } from './emulators/retell/scenarios.ts';
import {
  PlaceTestCallDocument,
  RetellCampaignCallsDocument,
  StartCampaignDocument,
  TestCallAttemptDocument,
  UpdateRetellAgentDocument,
  type RetellCampaignCallsQuery,
} from './generated/operations.ts';
import type { TestOrg } from './helpers/app.ts';
import { expectApiStatsExact } from './helpers/calls.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';
import { makeRetellStack, type RetellStack } from './helpers/retell.ts';

type CallNode = NonNullable<RetellCampaignCallsQuery['campaign']>['calls']['edges'][number]['node'];

let s: RetellStack;
let org: TestOrg;

beforeAll(async () => {
  s = await makeRetellStack();
  org = await s.t.makeOrg();
});
afterEach(() => s.stopWorkers());
afterAll(() => s?.close());

async function callsOf(campaignId: string): Promise<CallNode[]> {
  const out: CallNode[] = [];
  let after: string | null | undefined;
  do {
    const page = (await org.exec(RetellCampaignCallsDocument, { id: campaignId, after })).campaign!.calls;
    out.push(...page.edges.map((e) => e.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return out;
}

/** Runs to COMPLETED; stats equal the rows; the emulator placed exactly one call per attempt row. */
async function expectCompletedWithoutLossOrDuplicates(
  stack: RetellStack,
  o: TestOrg,
  campaign: { id: string; dbId: string },
  contacts: number,
  timeoutMs = 60_000,
) {
  await waitFor(async () => (await campaignStatus(stack.t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', timeoutMs);
  const stats = await expectApiStatsExact(stack.t, o, campaign.id);
  expect(stats.total).toBe(contacts);
  expect(stats.completed + stats.failed).toBe(contacts);
  const audit = await auditLedger(stack.t, stack.ledger(), campaign.dbId);
  expect(audit.dials).toBe(stats.attempts);
  expect([...stack.emulator.callsPerAttempt().values()].every((n) => n === 1)).toBe(true);
  return stats;
}

describe('CALLBOARD_PROVIDER=retell against the emulator', () => {
  it('runs 200 contacts to COMPLETED with every outcome, stats equal to the rows and one Retell call per attempt', { timeout: 120_000 }, async () => {
    await s.startWorker();
    await s.startWorker();
    const webhooksBefore = s.emulator.webhooks.length;
    const { balanceSeconds: balanceBefore } = await s.t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    const campaign = await makeDialableCampaign(org, { contacts: 200, settings: { maxConcurrentCalls: 40, maxAttempts: 2, maxCallbacks: 0 } });
    await expectCompletedWithoutLossOrDuplicates(s, org, campaign, 200, 90_000);

    const calls = await callsOf(campaign.id);
    const attempts = calls.flatMap((c) => c.attempts.map((a) => ({ ...a, phoneNumber: c.phoneNumber })));
    // The results came by webhook: none was refused (a delivery that timed out on a loaded machine
    // is retried, or its result found with get-call), and most were accepted.
    const delivered = s.emulator.webhooks.slice(webhooksBefore);
    expect(delivered.filter((w) => typeof w.status === 'number' && w.status !== 204)).toEqual([]);
    const accepted = new Set(delivered.filter((w) => w.status === 204).map((w) => `${w.callId} ${w.event}`));
    expect(accepted.size).toBeGreaterThan(new Set(delivered.map((w) => `${w.callId} ${w.event}`)).size * 0.8);

    // Every scenario's outcome, and each attempt's outcome is the one its number's scenario maps to.
    const seen = new Set(attempts.map((a) => a.outcome));
    for (const scenario of Object.values(SCENARIOS)) expect(seen, scenario.name).toContain(scenario.expected);
    const byProviderId = new Map(s.emulator.calls.map((c) => [c.call_id, c]));
    for (const a of attempts) {
      const dialed = byProviderId.get(a.providerCallId!);
      expect(dialed?.to_number).toBe(a.phoneNumber);
      expect(a.outcome).toBe(dialed!.scenario.expected);
    }

    // What lands on the attempt: transcript, summary, recording, cost, who answered, talk time.
    const meeting = attempts.find((a) => a.outcome === 'MEETING_BOOKED')!;
    expect(meeting).toMatchObject({ answeredBy: 'HUMAN', telephonyStatus: 'COMPLETED', summary: 'Emulated meeting call.' });
    expect(meeting.transcript).toMatch(/^Agent: Hi Contact \d+/);
    expect(meeting.recordingUrl).toMatch(/^https:\/\/retell-emulator\.invalid\/recordings\/call_/);
    expect(meeting.durationSeconds).toBeGreaterThan(0);
    expect(meeting.costCents).toBeGreaterThan(0);
    expect(attempts.find((a) => a.outcome === 'LEFT_MESSAGE')).toMatchObject({ answeredBy: 'MACHINE' });
    expect(attempts.find((a) => a.outcome === 'NO_ANSWER')).toMatchObject({ answeredBy: null, telephonyStatus: 'NO_ANSWER', durationSeconds: null });
    expect(attempts.find((a) => a.outcome === 'TECHNICAL_ERROR')?.errorMessage).toBe('Retell: error_llm_websocket_open');
    expect(attempts.find((a) => a.outcome === 'CALLBACK_REQUESTED')?.callbackAt).toBeTruthy();

    // The contact's name went as a dynamic variable, our ids in the metadata.
    const first = s.emulator.calls.find((c) => c.metadata.call_id)!;
    expect(first.dynamic.name).toMatch(/^Contact \d+$/);
    expect(first.from_number).toBe('+14155550100');

    // Exports carry the last attempt's recording.
    const lines = await (
      await fetch(new URL(`/exports/campaigns/${campaign.id}/calls.json`, s.server.url), { headers: { authorization: `Bearer ${org.key}` } })
    ).text();
    const exported = lines
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcome: string; recordingUrl: string | null });
    expect(exported).toHaveLength(200);
    expect(exported.find((c) => c.outcome === 'MEETING_BOOKED')?.recordingUrl).toMatch(/^https:\/\/retell-emulator\.invalid\//);

    // Connected time and billing follow the attempts: the organisation paid exactly the talk time.
    const after = await s.t.app.db.prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } });
    const talk = attempts.reduce((sum, a) => sum + (a.durationSeconds ?? 0), 0);
    expect(talk).toBeGreaterThan(0);
    expect(balanceBefore - after.balanceSeconds).toBe(talk);
  });

  it('dials with the agent’s providerAgentId as override_agent_id', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 3, start: false, settings: { maxCallbacks: 0 } });
    const { agentId } = await s.t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.dbId } });
    const updated = await org.exec(UpdateRetellAgentDocument, { input: { id: globalId('Agent', agentId!), providerAgentId: 'agent_0123abcd' } });
    expect(updated.updateAgent).toMatchObject({ agent: { providerAgentId: 'agent_0123abcd' } });
    await s.startWorker();
    const before = s.emulator.calls.length;
    await org.exec(StartCampaignDocument, { input: { id: campaign.id } });
    await expectCompletedWithoutLossOrDuplicates(s, org, campaign, 3);
    expect(s.emulator.calls.slice(before).every((c) => c.agent_id === 'agent_0123abcd')).toBe(true);
  });

  it('places a test call through Retell: name and variables as dynamic variables, the result on the attempt', async () => {
    await s.startWorker();
    const campaign = await makeDialableCampaign(org, { contacts: 1, start: false });
    // …01 is the emulator's "meeting" scenario (scenarios.ts: the last two digits pick it).
    const placed = await org.exec(PlaceTestCallDocument, {
      input: { campaignId: campaign.id, phoneNumber: '+14155550901', ignoreCallingWindow: true, name: 'Sam', variables: { plan: 'gold' } },
    });
    if (placed.placeTestCall.__typename !== 'PlaceTestCallPayload') throw new Error(JSON.stringify(placed.placeTestCall));
    const id = placed.placeTestCall.attempt.id;
    const done = await waitFor(async () => {
      const node = (await org.exec(TestCallAttemptDocument, { id })).node;
      return node?.__typename === 'CallAttempt' && node.endedAt ? node : null;
    }, 'the test call to end');
    const dialed = s.emulator.calls.find((c) => c.to_number === '+14155550901')!;
    expect(dialed.metadata.call_id).toBeNull();
    expect(dialed.dynamic).toMatchObject({ name: 'Sam', plan: 'gold' });
    expect(dialed.scenario.expected).toBe('MEETING_BOOKED');
    expect(done).toMatchObject({ isTest: true, outcome: 'MEETING_BOOKED', answeredBy: 'HUMAN' });
    expect(done.transcript).toContain('Hi Sam');
  });
});
