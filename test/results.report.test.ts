import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/dialer/worker.ts';
import { CampaignHistoryDocument, CampaignStatsDocument, type CampaignHistoryQuery } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';

// A campaign run to its end on the simulator, then read back: its PDF report, its history, its duration.

let t: TestApp;
let org: TestOrg;
let worker: RunningWorker;
let campaign: { id: string; dbId: string };

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_SIMULATOR_SPEED: '20000', CALLBOARD_SIMULATOR_SEED: '11' });
  org = await t.makeOrg();
  worker = await startWorker(t.app, { pollIntervalMs: 50 });
  campaign = await makeDialableCampaign(org, { contacts: 60, name: 'Winter report', settings: { maxConcurrentCalls: 20 } });
  await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000);
}, 90_000);
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

async function reportText(): Promise<string> {
  const response = await t.yoga.fetch(`http://callboard.test/exports/campaigns/${encodeURIComponent(campaign.id)}/report.pdf`, {
    headers: { authorization: `Bearer ${org.key}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
  const { text } = await extractText(bytes, { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

const pct = (rate: number | null | undefined) => (rate == null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);

describe('GET /exports/campaigns/:id/report.pdf', () => {
  it('prints the same numbers as the API: stat cards, rates, time, outcomes, attempts per contact, first calls', async () => {
    const { campaign: api } = await org.exec(CampaignStatsDocument, { id: campaign.id });
    const stats = api!.stats;
    const text = await reportText();
    expect(text).toContain('Winter report');
    expect(text).toContain('Status: COMPLETED');
    expect(text).toContain('Agent: Ava');
    for (const [label, value] of [
      ['Total', stats.total],
      ['Completed', stats.completed],
      ['Failed', stats.failed],
      ['Pending', stats.pending],
      ['Skipped', stats.skipped],
      ['Canceled', stats.canceled],
    ] as const) {
      expect(text).toContain(`${value} ${label}`);
    }
    expect(text).toContain(`Success rate: ${pct(stats.successRate)}`);
    expect(text).toContain(`Connect rate: ${pct(stats.connectRate)}`);
    expect(text).toContain(`Attempts: ${stats.attempts}`);
    expect(text).toContain(`(${stats.totalTimeSpentSeconds} s)`);
    expect(stats.byOutcome.length).toBeGreaterThan(1);
    for (const { outcome, count } of stats.byOutcome) expect(text).toContain(`${outcome} ${count}`);
    // Attempts per contact add up to every contact.
    const perContact = [...text.matchAll(/(\d+) attempts?: (\d+) contacts/g)].map((m) => Number(m[2]));
    expect(perContact.reduce((a, b) => a + b, 0)).toBe(stats.total);
    const first = await t.app.db.prisma.call.findFirstOrThrow({ where: { campaignId: campaign.dbId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(text).toContain(first.name);
    expect(text).toContain(first.phoneNumber);
  });
});

describe('Campaign.events and Campaign.durationSeconds', () => {
  it('pages through the whole event log in order, the same events the log holds, and says how long the campaign ran', async () => {
    const seen: { sequence: number; kind: string }[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const result: CampaignHistoryQuery = await org.exec(CampaignHistoryDocument, { id: campaign.id, first: 100, after });
      const events = result.campaign!.events;
      total = events.totalCount;
      seen.push(...events.edges.map((e) => e.node));
      if (!events.pageInfo.hasNextPage) break;
      after = events.pageInfo.endCursor;
    }
    const rows = await t.app.db.prisma.campaignEvent.findMany({ where: { campaignId: campaign.dbId }, orderBy: { sequence: 'asc' } });
    expect(seen.map((e) => [e.sequence, e.kind])).toEqual(rows.map((r) => [r.sequence, r.kind]));
    expect(seen.map((e) => e.sequence)).toEqual(rows.map((_, i) => i + 1));
    expect(total).toBe(rows.length);
    expect(seen[0]!.kind).toBe('CONTACTS_ADDED');
    expect(seen.at(-1)!.kind).toBe('CAMPAIGN_COMPLETE');

    const row = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.dbId } });
    const firstDial = await t.app.db.prisma.callAttempt.findFirstOrThrow({ where: { campaignId: campaign.dbId }, orderBy: { startedAt: 'asc' } });
    expect(row.firstDialedAt!.getTime()).toBeLessThanOrEqual(firstDial.startedAt.getTime());
    const history = await org.exec(CampaignHistoryDocument, { id: campaign.id, first: 0 });
    expect(history.campaign!.durationSeconds).toBe(Math.round((row.completedAt!.getTime() - row.firstDialedAt!.getTime()) / 1000));
    expect(history.campaign!.events.edges).toEqual([]);
    expect(history.campaign!.events.pageInfo.hasNextPage).toBe(true);
  });

  it('is null before the first dial, and refuses a foreign cursor', async () => {
    const idle = await makeDialableCampaign(org, { contacts: 1, start: false });
    const result = await org.exec(CampaignHistoryDocument, { id: idle.id, first: 5 });
    expect(result.campaign!.durationSeconds).toBeNull();
    const bad = await org.execRaw(CampaignHistoryDocument, { id: idle.id, first: 5, after: 'bm9wZQ' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
