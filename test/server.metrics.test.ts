import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../src/server-metrics.ts';
import { CampaignStatsDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { campaignStatus, makeDialableCampaign, makeWorkerPool, waitFor } from './helpers/dialer.ts';

const TOKEN = 'metrics-token-0123456789';
let t: TestApp;
let org: TestOrg;
const pool = makeWorkerPool(() => t);

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_METRICS_TOKEN: TOKEN });
  org = await t.makeOrg();
});
afterEach(() => pool.stopAll());
afterAll(() => t?.close());

async function scrape(authorization?: string): Promise<Response> {
  return t.yoga.fetch('http://callboard.test/metrics', { headers: authorization ? { authorization } : {} });
}

/** Sample values by full series name ("callboard_calls_finished_total{outcome=\"BUSY\"}"). */
async function samples(): Promise<Map<string, number>> {
  const text = await (await scrape(`Bearer ${TOKEN}`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(callboard_[^\s]+) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

const value = (s: Map<string, number>, name: string) => s.get(name) ?? 0;

describe('GET /metrics', () => {
  it('with CALLBOARD_METRICS_TOKEN, answers only to that token (not to an API key)', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(`Bearer ${org.key}`)).status).toBe(401);
    expect((await scrape('Bearer metrics-token-0123456789-but-longer')).status).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toContain('# HELP callboard_calls_dialed_total');
  });

  it('moves as the rows do during a campaign: claims, dials, finishes by outcome, in flight, events, operations', async () => {
    const before = await samples();
    await pool.start({ speed: 20_000 });
    const campaign = await makeDialableCampaign(org, { contacts: 60, settings: { maxConcurrentCalls: 10 } });
    // Mid-campaign: something is in flight or already finished.
    await waitFor(async () => value(await samples(), 'callboard_calls_dialed_total') > value(before, 'callboard_calls_dialed_total'), 'dials to be counted');
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete');
    await org.exec(CampaignStatsDocument, { id: campaign.id });
    await pool.stopAll();

    const after = await samples();
    const delta = (name: string) => value(after, name) - value(before, name);
    const attempts = await t.app.db.prisma.callAttempt.findMany({ where: { campaignId: campaign.dbId, isTest: false }, select: { outcome: true } });
    const dialed = attempts.filter((a) => a.outcome !== 'NOT_DIALED');
    expect(delta('callboard_calls_dialed_total')).toBe(dialed.length);
    expect(delta('callboard_calls_claimed_total')).toBe(attempts.length);
    const byOutcome = new Map<string, number>();
    for (const a of dialed) byOutcome.set(a.outcome!, (byOutcome.get(a.outcome!) ?? 0) + 1);
    for (const [outcome, n] of byOutcome) expect(delta(`callboard_calls_finished_total{outcome="${outcome}"}`), outcome).toBe(n);
    expect(value(after, 'callboard_calls_in_flight')).toBe(0);
    expect(delta('callboard_events_published_total')).toBeGreaterThanOrEqual(dialed.length);
    expect(delta('callboard_claim_duration_seconds_count')).toBeGreaterThan(0);
    expect(delta('callboard_graphql_operations_total{operation="CampaignStats",type="query"}')).toBe(1);
  });

  it('counts errors by code, and keeps client-chosen operation names bounded', async () => {
    const before = await samples();
    const res = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
      body: JSON.stringify({ query: 'query Weird { nope }', operationName: 'Weird' }),
    });
    expect((await res.json()).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const odd = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
      body: JSON.stringify({ query: 'query { organization { id } }' }),
    });
    expect(odd.status).toBe(200);
    const after = await samples();
    expect(
      value(after, 'callboard_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}') -
        value(before, 'callboard_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}'),
    ).toBe(1);
    expect(value(after, 'callboard_graphql_operations_total{operation="anonymous",type="query"}')).toBeGreaterThan(0);
    expect(t.app.metrics.operationLabel('has spaces and dashes-')).toBe('other');
  });

  it('a worker process serves the same page on CALLBOARD_WORKER_METRICS_PORT, with the same token rule', async () => {
    const server = await startMetricsServer(t.app, 0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${server.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('callboard_calls_in_flight');
      expect((await fetch(`http://127.0.0.1:${server.port}/graphql`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
