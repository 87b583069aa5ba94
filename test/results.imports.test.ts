import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../src/auth/keys.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { CampaignImportsDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { uploadCsv, usNumbers } from './helpers/calls.ts';
import { makeCampaign } from './helpers/campaigns.ts';
import { waitFor } from './helpers/dialer.ts';

const BASE = 'http://callboard.test';
// Small limits, so "bigger than GraphQL takes" and "bigger than any upload may be" are quick to reach.
const GRAPHQL_LIMIT = 200_000;
const UPLOAD_LIMIT = 2_000_000;
let t: TestApp;
let org: TestOrg;
let server: RunningServer;

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_MAX_GRAPHQL_BODY_BYTES: String(GRAPHQL_LIMIT), CALLBOARD_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) });
  org = await t.makeOrg();
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

/** A contact list of `rows` rows, each with a long note (so a few thousand rows pass the GraphQL limit). */
function csv(rows: number, from = 0): string {
  const note = 'n'.repeat(200);
  const lines = ['name,phone,note'];
  for (const [i, phone] of usNumbers(rows, from).entries()) lines.push(`Contact ${from + i},${phone},${note}`);
  return `${lines.join('\n')}\n`;
}

function upload(campaignId: string, body: BodyInit, key = org.key, query = '') {
  return t.yoga.fetch(`${BASE}/imports/campaigns/${encodeURIComponent(campaignId)}/contacts.csv${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body,
    duplex: 'half',
  } as RequestInit);
}

/** A body that arrives in pieces with no Content-Length, as a browser or curl -T - sends a large file. */
function chunked(text: string, piece = 64 * 1024): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += piece)));
    },
  });
}

describe('POST /imports/campaigns/:id/contacts.csv', () => {
  it('imports a file larger than a GraphQL request may be, streamed, and records it as an ImportJob', async () => {
    const campaign = await makeCampaign(org, 'Big upload');
    const file = csv(2_000);
    expect(file.length).toBeGreaterThan(GRAPHQL_LIMIT);
    // Through GraphQL multipart the same file is refused (buffered uploads stay bounded)…
    const viaGraphql = await uploadCsv(t, org, { campaignId: campaign.id, csv: file });
    // 413 when the client declares its size; 400 from Yoga's multipart parser when it streams.
    expect([400, 413]).toContain(viaGraphql.status);
    expect(JSON.stringify(viaGraphql.body)).toContain('too large');
    // …and streamed through /imports it goes in.
    const response = await upload(campaign.id, chunked(file), org.key, '?defaultCountry=US');
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report).toMatchObject({ added: 2_000, skipped: 0, rejectedCount: 0, campaignId: campaign.id });
    const { campaign: read } = await org.exec(CampaignImportsDocument, { id: campaign.id });
    expect(read!.stats).toMatchObject({ total: 2_000, pending: 2_000 });
    expect(read!.imports).toEqual([
      expect.objectContaining({ id: report.jobId, status: 'SUCCEEDED', rowsRead: 2_000, bytesRead: file.length, added: 2_000, skipped: 0, error: null }),
    ]);
  });

  it('refuses a file past CALLBOARD_MAX_UPLOAD_BYTES with 413 and imports nothing, whether or not it declared its size', async () => {
    const campaign = await makeCampaign(org, 'Too big');
    const file = csv(10_000);
    expect(file.length).toBeGreaterThan(UPLOAD_LIMIT);
    const declared = await upload(campaign.id, file);
    expect(declared.status).toBe(413);
    expect((await declared.json()).errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', fieldErrors: [{ path: ['file'] }] });
    const streamed = await upload(campaign.id, chunked(file));
    expect(streamed.status).toBe(413);
    expect(await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId } })).toBe(0);
    const { campaign: read } = await org.exec(CampaignImportsDocument, { id: campaign.id });
    expect(read!.imports).toEqual([expect.objectContaining({ status: 'FAILED', added: null, error: expect.stringContaining('upload limit') })]);
  });

  it('leaves nothing half-imported when the client goes away mid-upload', async () => {
    const campaign = await makeCampaign(org, 'Cut off');
    const file = csv(6_000);
    const url = new URL(server.url);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/imports/campaigns/${encodeURIComponent(campaign.id)}/contacts.csv`,
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => {}); // the socket we destroy
    req.write(file.slice(0, file.length / 2));
    await waitFor(async () => (await t.app.db.prisma.importJob.count({ where: { campaignId: campaign.dbId } })) === 1, 'the upload to start');
    req.destroy();
    const job = await waitFor(
      async () => (await t.app.db.prisma.importJob.findFirst({ where: { campaignId: campaign.dbId, status: { not: 'RUNNING' } } })) ?? null,
      'the cut-off upload to be recorded',
    );
    expect(job.status).toBe('FAILED');
    expect(await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId } })).toBe(0);
  });

  it('answers a READ key 403, another organisation’s campaign 404, a bad file 400 — changing nothing', async () => {
    const campaign = await makeCampaign(org, 'Refusals');
    const reader = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['READ'] });
    expect((await upload(campaign.id, csv(3), reader)).status).toBe(403);
    const stranger = await t.makeOrg();
    expect((await upload(campaign.id, csv(3), stranger.key)).status).toBe(404);
    const bad = await upload(campaign.id, 'just,a,header\n');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await upload(campaign.id, csv(3), org.key, '?country=US')).status).toBe(400);
    expect(await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId } })).toBe(0);
  });
});

describe.runIf(process.env.DATABASE_URL)('on PostgreSQL, an upload in progress', () => {
  it('shows the rows read so far while the file is still arriving (RUNNING), then the outcome', async () => {
    const campaign = await makeCampaign(org, 'Slow upload');
    const first = csv(6_000);
    const rest = csv(1_000, 6_000).split('\n').slice(1).join('\n');
    let sendRest!: () => void;
    const restAllowed = new Promise<void>((resolve) => (sendRest = resolve));
    const parts = [new TextEncoder().encode(first)];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = parts.shift();
        if (next) return controller.enqueue(next);
        await restAllowed;
        controller.enqueue(new TextEncoder().encode(rest));
        controller.close();
      },
    });
    const done = upload(campaign.id, body);
    // A batch of 5,000 rows is staged and a second passes: the job shows them, still RUNNING.
    const running = await waitFor(
      async () => {
        const { campaign: read } = await org.exec(CampaignImportsDocument, { id: campaign.id });
        const job = read!.imports[0];
        return job && job.status === 'RUNNING' && job.rowsRead >= 5_000 ? job : null;
      },
      'progress of the running upload',
      20_000,
      200,
    );
    expect(running.added).toBeNull();
    expect((await org.exec(CampaignImportsDocument, { id: campaign.id })).campaign!.stats.total).toBe(0);
    sendRest();
    expect((await done).status).toBe(200);
    const { campaign: read } = await org.exec(CampaignImportsDocument, { id: campaign.id });
    expect(read!.imports[0]).toMatchObject({ status: 'SUCCEEDED', rowsRead: 7_000, added: 7_000 });
  }, 60_000);
});

describe('POST /imports/do-not-call.csv', () => {
  function uploadDnc(body: BodyInit, key = org.key, query = '') {
    return t.yoga.fetch(`${BASE}/imports/do-not-call.csv${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body,
      duplex: 'half',
    } as RequestInit);
  }

  it('lists every number of a streamed file and skips their waiting calls; WRITE keys are refused', async () => {
    const org = await t.makeOrg(); // its own list and calls, whatever the tests above imported
    const campaign = await makeCampaign(org, 'Before the list');
    const numbers = usNumbers(3, 9_000);
    await t.app.db.prisma.call.createMany({ data: numbers.map((phoneNumber, i) => ({ campaignId: campaign.dbId, name: `N${i}`, phoneNumber, position: i })) });
    const file = `phone\n${numbers.join('\n')}\n${usNumbers(3_000, 5_000).join('\n')}\nnot a number\n`;
    const writer = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['WRITE'] });
    expect((await uploadDnc(file, writer)).status).toBe(403);
    const response = await uploadDnc(chunked(file), org.key, '?reason=asked%20not%20to%20be%20called');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ added: 3_003, alreadyListed: 0, rejected: [{ index: 3_003 }], callsSkipped: 3 });
    expect(await t.app.db.prisma.doNotCallEntry.count({ where: { organizationId: org.orgId } })).toBe(3_003);
    expect(await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: 'SKIPPED', outcome: 'DO_NOT_CALL' } })).toBe(3);
  });

  it('lists nothing when the upload is cut off or too large', async () => {
    const other = await t.makeOrg();
    const url = new URL(server.url);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/imports/do-not-call.csv',
      headers: { authorization: `Bearer ${other.key}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => {});
    req.write(`phone\n${usNumbers(6_000).join('\n')}\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await t.app.db.prisma.doNotCallEntry.count({ where: { organizationId: other.orgId } })).toBe(0);
    const tooBig = await uploadDnc(chunked(`phone\n${'+14155550100\n'.repeat(200_000)}`), other.key);
    expect(tooBig.status).toBe(413);
    expect(await t.app.db.prisma.doNotCallEntry.count({ where: { organizationId: other.orgId } })).toBe(0);
  });
});
