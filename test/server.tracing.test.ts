import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startTracing } from '../src/tracing-sdk.ts';
import { CampaignStatsDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp } from './helpers/app.ts';
import { campaignStatus, makeDialableCampaign, makeWorkerPool, waitFor } from './helpers/dialer.ts';

// A local OTLP/HTTP collector: what an OpenTelemetry exporter sends, as it sends it (JSON).
type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: { key: string; value: Record<string, unknown> }[] };
const bodies: string[] = [];
let collector: Server;
let endpoint: string;
let t: TestApp;
const pool = makeWorkerPool(() => t);

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  t = await makeTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
});
afterAll(async () => {
  await pool.stopAll();
  await t?.close();
  collector?.close();
});

function spansOf(raw: string[]): OtlpSpan[] {
  return raw.flatMap((b) =>
    (JSON.parse(b) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
  );
}
const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

describe('OpenTelemetry traces', () => {
  it('are off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    expect(await startTracing(loadConfig({}))).toBeNull();
  });

  it('export operations (with their database queries nested), claims, dials and result batches, with ids and never phone numbers', {
    timeout: 60_000,
  }, async () => {
    const stop = await startTracing(t.app.config);
    expect(stop).not.toBeNull();
    const org = await t.makeOrg();
    const numbers = ['+14155550701', '+14155550702', '+14155550703'];
    await pool.start({ speed: 20_000 });
    const campaign = await makeDialableCampaign(org, { contacts: numbers.length, numbers });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete');
    await org.exec(CampaignStatsDocument, { id: campaign.id });
    await pool.stopAll();
    await stop!(); // flushes

    const raw = bodies.join('\n');
    const spans = spansOf(bodies);
    const names = new Set(spans.map((s) => s.name));
    for (const name of ['graphql.query CampaignStats', 'graphql.mutation CreateCampaign', 'callboard.claim', 'callboard.dial', 'callboard.apply_results']) {
      expect(names, name).toContain(name);
    }
    const claim = spans.find((s) => s.name === 'callboard.claim' && attr(s, 'callboard.campaign.id') === campaign.dbId);
    expect(claim).toBeDefined();
    const dials = spans.filter((s) => s.name === 'callboard.dial' && attr(s, 'callboard.campaign.id') === campaign.dbId);
    const attempts = await t.app.db.prisma.callAttempt.count({ where: { campaignId: campaign.dbId, isTest: false, NOT: { outcome: 'NOT_DIALED' } } });
    expect(dials).toHaveLength(attempts);
    // The operation's database work is its children (Prisma's spans, nested by the active span).
    const stats = spans.find((s) => s.name === 'graphql.query CampaignStats')!;
    const children = spans.filter((s) => s.traceId === stats.traceId && s.spanId !== stats.spanId);
    expect(children.some((s) => s.name.startsWith('prisma:'))).toBe(true);
    // Ids, not people: no number (in any format) and no contact name leaves the process.
    for (const n of numbers) {
      expect(raw).not.toContain(n);
      expect(raw).not.toContain(n.slice(2));
    }
    expect(raw).not.toMatch(/Contact \d/);
  });
});
