import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { CampaignCallsDocument, CampaignExportUrlDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';

const BASE = 'http://callboard.test';
let t: TestApp;
let org: TestOrg;
let campaign: { id: string; dbId: string };

// Names a spreadsheet export gets wrong when it quotes by hand.
const TRICKY = [
  { name: 'Smith, Jane', phone: '+14155550101', variables: { plan: 'gold', note: 'said "call me"' } },
  { name: 'Line\nbreak', phone: '+14155550102', variables: { plan: 'silver' } },
  { name: '山田 太郎', phone: '+81905555010', variables: { plan: 'bronze', city: 'Tōkyō' } },
  { name: '=HYPERLINK("http://evil")', phone: '+14155550104', variables: {} },
  { name: 'Plain', phone: '+14155550105', variables: { plan: 'gold', visits: 3 } },
];

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  campaign = await makeCampaign(org, 'Spring renewals');
  const processed = new Date('2026-11-29T10:00:00Z');
  await t.app.db.prisma.call.createMany({
    data: TRICKY.map((c, i) => ({
      campaignId: campaign.dbId,
      name: c.name,
      phoneNumber: c.phone,
      position: i,
      variables: c.variables,
      status: i < 3 ? 'COMPLETED' : 'PENDING',
      outcome: i < 3 ? 'ANSWERED' : null,
      attemptCount: i < 3 ? 1 : 0,
      connected: i < 3,
      durationSeconds: i < 3 ? 30 + i : 0,
      processedAt: i < 3 ? new Date(processed.getTime() + i * 3600_000) : null,
      createdAt: new Date(Date.UTC(2026, 10, 28, 0, 0, i)),
    })),
  });
  const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId, status: 'COMPLETED' } });
  await t.app.db.prisma.callAttempt.createMany({
    data: calls.map((c) => ({ campaignId: c.campaignId, callId: c.id, number: 1, toNumber: c.phoneNumber, summary: `Summary for ${c.name}, booked` })),
  });
});
afterAll(() => t?.close());

function download(path: string, key = org.key) {
  return t.yoga.fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${key}` } });
}

const CSV_HEADER = ['campaign', 'name', 'phone', 'status', 'outcome', 'attempts', 'processed_at', 'duration_seconds', 'connected', 'summary', 'recording_url'];
const csvPath = (file: string, query = '') => `/exports/campaigns/${encodeURIComponent(campaign.id)}/${file}${query}`;

describe('GET /exports/campaigns/:id/calls.csv', () => {
  it('streams every call with correct quoting, one column per variable, and a file name', async () => {
    const response = await download(csvPath('calls.csv'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="spring-renewals-\d{4}-\d{2}-\d{2}-calls\.csv"/);
    const text = await response.text();
    expect(text.startsWith('\uFEFF')).toBe(false);
    const records: Record<string, string>[] = parse(text, { columns: true });
    expect(Object.keys(records[0]!)).toEqual([...CSV_HEADER, 'city', 'note', 'plan', 'visits']);
    expect(records.map((r) => r.name)).toEqual(['Smith, Jane', 'Line\nbreak', '山田 太郎', `'=HYPERLINK("http://evil")`, 'Plain']);
    expect(records[0]).toMatchObject({
      campaign: 'Spring renewals',
      phone: '+14155550101',
      status: 'COMPLETED',
      outcome: 'ANSWERED',
      attempts: '1',
      processed_at: '2026-11-29T10:00:00.000Z',
      duration_seconds: '30',
      connected: 'true',
      summary: 'Summary for Smith, Jane, booked',
      plan: 'gold',
      note: 'said "call me"',
      city: '',
      visits: '',
    });
    expect(records[2]).toMatchObject({ city: 'Tōkyō', phone: '+81905555010' });
    expect(records[4]).toMatchObject({ status: 'PENDING', outcome: '', processed_at: '', visits: '3', summary: '' });
  });

  it('applies the calls connection’s filters, and answers the same rows as the API', async () => {
    const filter = { statuses: ['COMPLETED' as const], processedAfter: '2026-11-29T10:30:00.000Z' };
    const api = await org.exec(CampaignCallsDocument, { id: campaign.id, first: 100, filter });
    const apiNames = api.campaign!.calls.edges.map((e) => e.node.name);
    const response = await download(csvPath('calls.csv', '?statuses=COMPLETED&processedAfter=2026-11-29T10:30:00.000Z'));
    const records: Record<string, string>[] = parse(await response.text(), { columns: true });
    expect(records.map((r) => r.name)).toEqual(apiNames);
    expect(apiNames).toEqual(['Line\nbreak', '山田 太郎']);
    const searched: Record<string, string>[] = parse(await (await download(csvPath('calls.csv', '?search=090%205555'))).text(), { columns: true });
    expect(searched.map((r) => r.name)).toEqual(['山田 太郎']);
  });

  it('starts with a BOM when asked (spreadsheet tools then read UTF-8)', async () => {
    const text = await (await download(csvPath('calls.csv', '?bom=1'))).text();
    expect(text.charCodeAt(0)).toBe(0xfeff);
  });

  it('refuses bad parameters with 400 naming the parameter, other organisations’ campaigns and unknown ids with 404, no key with 401', async () => {
    const bad = await download(csvPath('calls.csv', '?statuses=DONE'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fieldErrors: [{ path: ['statuses'] }] } });
    expect((await download(csvPath('calls.csv', '?processedAfter=yesterday'))).status).toBe(400);
    expect((await download(csvPath('calls.csv', '?colour=red'))).status).toBe(400);
    const stranger = await t.makeOrg();
    expect((await download(csvPath('calls.csv'), stranger.key)).status).toBe(404);
    expect((await download('/exports/campaigns/nope/calls.csv')).status).toBe(404);
    expect((await download('/exports/campaigns/x/calls.xlsx')).status).toBe(404);
    expect((await t.yoga.fetch(`${BASE}${csvPath('calls.csv')}`)).status).toBe(401);
  });
});

describe('GET /exports/campaigns/:id/calls.json', () => {
  it('streams JSON Lines, one call per line, with global ids and the variables as an object', async () => {
    const response = await download(csvPath('calls.json', '?statuses=COMPLETED'));
    expect(response.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    const lines = (await response.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ campaignId: campaign.id, name: 'Smith, Jane', status: 'COMPLETED', attempts: 1, variables: { plan: 'gold' } });
    const api = await org.exec(CampaignCallsDocument, { id: campaign.id, first: 3, filter: { statuses: ['COMPLETED'] } });
    expect(lines.map((l) => l.id)).toEqual(api.campaign!.calls.edges.map((e) => e.node.id));
  });
});

describe('GET /exports/calls.csv (all campaigns)', () => {
  it('covers every campaign of the organisation in a processed range, and no other organisation’s', async () => {
    const other = await makeCampaign(org, 'Autumn');
    await t.app.db.prisma.call.create({
      data: {
        campaignId: other.dbId,
        name: 'Autumn lead',
        phoneNumber: '+14155550199',
        position: 0,
        status: 'FAILED',
        outcome: 'NO_ANSWER',
        processedAt: new Date('2026-11-29T12:30:00Z'),
      },
    });
    const stranger = await t.makeOrg();
    const theirs = await makeCampaign(stranger, 'Theirs');
    await t.app.db.prisma.call.create({
      data: {
        campaignId: theirs.dbId,
        name: 'Not yours',
        phoneNumber: '+14155550198',
        position: 0,
        status: 'FAILED',
        outcome: 'NO_ANSWER',
        processedAt: new Date('2026-11-29T12:30:00Z'),
      },
    });
    const response = await download('/exports/calls.csv?processedAfter=2026-11-29T11:00:00Z&processedBefore=2026-11-29T13:00:00Z');
    expect(response.headers.get('content-disposition')).toMatch(/filename="calls-\d{4}-\d{2}-\d{2}\.csv"/);
    const records: Record<string, string>[] = parse(await response.text(), { columns: true });
    expect(records.map((r) => [r.campaign, r.name]).sort()).toEqual([
      ['Autumn', 'Autumn lead'],
      ['Spring renewals', 'Line\nbreak'],
      ['Spring renewals', '山田 太郎'],
    ]);
    const only = parse(await (await download(`/exports/calls.csv?campaignIds=${encodeURIComponent(other.id)}`)).text(), { columns: true });
    expect(only).toHaveLength(1);
  });
});

describe('Campaign.exportUrl', () => {
  it('links to the export with the filter as parameters; the link downloads what the filter selects', async () => {
    const result = await org.exec(CampaignExportUrlDocument, { id: campaign.id, format: 'CSV', filter: { statuses: ['PENDING'] } });
    const url = result.campaign!.exportUrl;
    expect(url).toBe(`${csvPath('calls.csv')}?statuses=PENDING`);
    const records = parse(await (await download(url)).text(), { columns: true });
    expect(records).toHaveLength(2);
    const pdf = await org.exec(CampaignExportUrlDocument, { id: campaign.id, format: 'PDF', filter: null });
    expect(pdf.campaign!.exportUrl).toBe(csvPath('report.pdf'));
  });
});

describe('a large export', () => {
  let server: RunningServer;
  let big: { id: string; dbId: string };
  const ROWS = 100_000;
  beforeAll(async () => {
    big = await makeCampaign(org, 'Big list');
    await t.app.db.prisma.$executeRaw`
      INSERT INTO "call" (id, campaign_id, name, phone_number, position, variables, created_at, updated_at)
      SELECT gen_random_uuid(), ${big.dbId}::uuid, 'Contact ' || i, '+1415' || lpad(i::text, 7, '0'), i,
             jsonb_build_object('row', i), '2026-11-01'::timestamptz + i * interval '1 millisecond', now()
        FROM generate_series(1, ${ROWS}::int) AS i`;
    await t.app.db.prisma.$executeRawUnsafe('ANALYZE "call"'); // as an import of this size does
    server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(() => server?.close());
  const origin = () => new URL(server.url).origin;

  /** Export batches read so far (one SELECT of call rows per batch). */
  function countBatches() {
    let batches = 0;
    t.app.db.onQuery((sql) => {
      if (sql.includes('ORDER BY c.created_at, c.id')) batches++;
    });
    return () => batches;
  }

  it('is read from the database only as fast as the client takes it (100k rows, one batch in memory)', async () => {
    const batches = countBatches();
    try {
      // In process (no socket buffers between): the body is pulled batch by batch by its reader.
      const response = await download(`/exports/campaigns/${encodeURIComponent(big.id)}/calls.csv`);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The client stopped reading after the header: at most the first batch (and one ahead) was read.
      expect(batches()).toBeLessThanOrEqual(2);
      let text = '';
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      const records: Record<string, string>[] = parse(text, { columns: [...CSV_HEADER, 'row'] });
      expect(records).toHaveLength(ROWS);
      expect(records[0]).toMatchObject({ name: 'Contact 1', row: '1' });
      expect(records.at(-1)).toMatchObject({ name: `Contact ${ROWS}`, row: String(ROWS) });
      expect(batches()).toBe(ROWS / 2000 + 1); // the last, empty read ends the campaign
    } finally {
      t.app.db.onQuery(null);
    }
  }, 120_000);

  it('stops reading when the client disconnects mid-download', async () => {
    const batches = countBatches();
    try {
      const abort = new AbortController();
      const response = await fetch(`${origin()}/exports/campaigns/${encodeURIComponent(big.id)}/calls.json`, {
        headers: { authorization: `Bearer ${org.key}` },
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      abort.abort();
      await reader.read().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = batches();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(batches()).toBe(after);
      // The whole export is 51 batches (about 20 MB of JSON, more than the sockets can buffer).
      expect(after).toBeLessThan(40);
    } finally {
      t.app.db.onQuery(null);
    }
  }, 60_000);
});
