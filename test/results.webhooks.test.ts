import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../src/auth/keys.ts';
import { startWebhookSender, type RunningSender } from '../src/dialer/webhook-sender.ts';
import { startWorker, type RunningWorker } from '../src/dialer/worker.ts';
import { decodeId } from '../src/schema/common/ids.ts';
import { checkWebhookUrl, guardedLookup } from '../src/services/webhook-targets.ts';
import { CampaignStatsDocument, CreateWebhookEndpointDocument, DeleteWebhookEndpointDocument, WebhookEndpointsDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';

type Received = { headers: IncomingHttpHeaders; body: string; json: { id: string; type: string; createdAt: string; data: Record<string, any> } };

/** A receiving endpoint on loopback: records every POST, answers `status()` (200 unless told otherwise). */
async function receiver(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const code = status(++n);
      if (code < 300) received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, tries: () => n, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function verify(secret: string, r: Received): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['callboard-signature']));
  if (!match) return false;
  return createHmac('sha256', secret).update(`${match[1]}.${r.body}`).digest('hex') === match[2];
}

let t: TestApp;
let org: TestOrg;
let worker: RunningWorker;
let sender: RunningSender;

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_SIMULATOR_SPEED: '20000', CALLBOARD_SIMULATOR_SEED: '5' });
  org = await t.makeOrg();
  worker = await startWorker(t.app, { pollIntervalMs: 50 });
  sender = startWebhookSender(t.app, { pollIntervalMs: 50, retryBaseMs: 100 });
});
afterAll(async () => {
  await sender?.stop();
  await worker?.stop();
  await t?.close();
});

async function createEndpoint(o: TestOrg, url: string, events: ('CALL_FINISHED' | 'CAMPAIGN_STATUS_CHANGED')[]) {
  const created = await o.exec(CreateWebhookEndpointDocument, { input: { url, events } });
  if (created.createWebhookEndpoint.__typename !== 'CreateWebhookEndpointPayload') throw new Error(JSON.stringify(created.createWebhookEndpoint));
  return created.createWebhookEndpoint;
}

describe('result webhooks', () => {
  it('POSTs every finished call and every status change of a campaign, signed, once each, in order', async () => {
    const hook = await receiver();
    const { secret, endpoint } = await createEndpoint(org, hook.url, ['CALL_FINISHED', 'CAMPAIGN_STATUS_CHANGED']);
    expect(secret).toMatch(/^whsec_/);
    const campaign = await makeDialableCampaign(org, { contacts: 30, name: 'Hooked', settings: { maxConcurrentCalls: 10 } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000);
    const stats = (await org.exec(CampaignStatsDocument, { id: campaign.id })).campaign!.stats;
    const expected = stats.attempts + 2; // every dial, then DRAFT → RUNNING and RUNNING → COMPLETED
    await waitFor(() => hook.received.length >= expected, 'every event to arrive', 30_000);
    expect(hook.received).toHaveLength(expected);
    expect(hook.received.every((r) => verify(secret, r))).toBe(true);
    expect(new Set(hook.received.map((r) => r.json.id)).size).toBe(expected);
    expect(hook.received.every((r) => r.headers['callboard-event-id'] === r.json.id)).toBe(true);
    const types = hook.received.map((r) => r.json.type);
    expect(types[0]).toBe('campaign.status_changed');
    expect(hook.received[0]!.json.data).toMatchObject({ campaign: { id: campaign.id, name: 'Hooked' }, from: 'DRAFT', to: 'RUNNING', action: 'START' });
    expect(types.at(-1)).toBe('campaign.status_changed');
    expect(hook.received.at(-1)!.json.data).toMatchObject({ from: 'RUNNING', to: 'COMPLETED' });
    const calls = hook.received.filter((r) => r.json.type === 'call.finished');
    expect(calls).toHaveLength(stats.attempts);
    // Each call's final state is in its last call.finished event.
    const rows = await t.app.db.prisma.call.findMany({ where: { campaignId: campaign.dbId } });
    for (const row of rows) {
      const last = calls.filter((r) => r.json.data.call.phoneNumber === row.phoneNumber).at(-1)!;
      expect(last.json.data.call).toMatchObject({ name: row.name, status: row.status, outcome: row.outcome, attempts: row.attemptCount });
      expect(last.json.data.attempt.number).toBe(row.attemptCount);
    }
    // The receiver has the last POST a moment before the sender records its answer.
    const listed = await waitFor(async () => {
      const found = (await org.exec(WebhookEndpointsDocument, {})).organization.webhookEndpoints.find((e) => e.id === endpoint.id)!;
      return found.deliveries.edges.every((e) => e.node.status === 'DELIVERED') ? found : null;
    }, 'every delivery to be recorded as delivered');
    expect(listed.deliveries.totalCount).toBe(expected);
    expect(listed.deliveries.edges.every((e) => e.node.attempts === 1)).toBe(true);
    await org.exec(DeleteWebhookEndpointDocument, { input: { id: endpoint.id } });
    await hook.close();
  }, 90_000);

  it('retries a failing endpoint with backoff, keeps the campaign’s order, and shows the last error', async () => {
    const hook = await receiver((n) => (n <= 2 ? 503 : 200));
    const { endpoint } = await createEndpoint(org, hook.url, ['CAMPAIGN_STATUS_CHANGED']);
    const campaign = await makeDialableCampaign(org, { contacts: 3, name: 'Flaky receiver' });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000);
    await waitFor(() => hook.received.length >= 2, 'both status changes', 30_000);
    expect(hook.received.map((r) => r.json.data.to)).toEqual(['RUNNING', 'COMPLETED']);
    expect(hook.tries()).toBe(4);
    const listed = await waitFor(async () => {
      const found = (await org.exec(WebhookEndpointsDocument, {})).organization.webhookEndpoints.find((e) => e.id === endpoint.id)!;
      return found.deliveries.edges.every((e) => e.node.status === 'DELIVERED') ? found : null;
    }, 'both deliveries to be recorded as delivered');
    const first = listed.deliveries.edges.map((e) => e.node).find((d) => (d.payload as { data: { to: string } }).data.to === 'RUNNING')!;
    expect(first).toMatchObject({ status: 'DELIVERED', attempts: 3, lastStatusCode: 200, lastError: null });
    await org.exec(DeleteWebhookEndpointDocument, { input: { id: endpoint.id } });
    await hook.close();
  }, 90_000);

  it('writes the outbox with the change: events of a time no sender ran are delivered when one starts', async () => {
    await sender.stop();
    const hook = await receiver();
    const { endpoint } = await createEndpoint(org, hook.url, ['CAMPAIGN_STATUS_CHANGED']);
    const campaign = await makeDialableCampaign(org, { contacts: 2, name: 'While down' });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000);
    expect(await t.app.db.prisma.webhookDelivery.count({ where: { endpointId: decodeId(endpoint.id, 'WebhookEndpoint')!, status: 'PENDING' } })).toBe(2);
    expect(hook.tries()).toBe(0);
    sender = startWebhookSender(t.app, { pollIntervalMs: 50, retryBaseMs: 100 });
    await waitFor(() => hook.received.length >= 2, 'the events to arrive', 30_000);
    expect(hook.received.map((r) => r.json.data.to)).toEqual(['RUNNING', 'COMPLETED']);
    await org.exec(DeleteWebhookEndpointDocument, { input: { id: endpoint.id } });
    await hook.close();
  }, 90_000);

  it('refuses URLs that are not https, private or reserved addresses, and non-ADMIN keys; nothing is created', async () => {
    const org = await t.makeOrg(); // no endpoint of its own yet
    for (const url of [
      'ftp://example.com/x',
      'http://example.com/hooks',
      'https://10.0.0.8/x',
      'https://169.254.169.254/latest',
      'https://[fd00::1]/x',
      'https://user:pw@example.com/x',
      'nonsense',
    ]) {
      const result = await org.execRaw(CreateWebhookEndpointDocument, { input: { url, events: ['CALL_FINISHED'] } });
      expect(result.data?.createWebhookEndpoint, url).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['url'] }] });
    }
    const empty = await org.exec(CreateWebhookEndpointDocument, { input: { url: 'https://example.com/hooks', events: [] } });
    expect(empty.createWebhookEndpoint).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['events'] }] });
    const writer = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['WRITE'] });
    const response = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
      body: JSON.stringify({ query: 'mutation { createWebhookEndpoint(input: { url: "https://example.com/x", events: [CALL_FINISHED] }) { __typename } }' }),
    });
    expect((await response.json()).errors?.[0]?.message).toMatch(/not authorized/i);
    expect(await t.app.db.prisma.webhookEndpoint.count({ where: { organizationId: org.orgId } })).toBe(0);
  });

  it('in production, refuses loopback endpoints, and names that resolve to private addresses at delivery', async () => {
    const production = { allowLoopback: false };
    expect(() => checkWebhookUrl('http://127.0.0.1:9/x', production)).toThrow(/https/);
    expect(() => checkWebhookUrl('https://127.0.0.1/x', production)).toThrow(/private, loopback or reserved/);
    expect(() => checkWebhookUrl('https://localhost/x', production)).toThrow(/localhost/);
    expect(checkWebhookUrl('https://hooks.example.com/in', production).hostname).toBe('hooks.example.com');
    const error = await new Promise<Error | null>((resolve) => guardedLookup(production)('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(/resolves to .*(private|loopback)/);
  });
});
