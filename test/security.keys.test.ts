import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../src/auth/keys.ts';
import { startServer, WS_UNAUTHORIZED, type RunningServer } from '../src/server.ts';
import { ApiKeysDocument, CreateApiKeyDocument, CreateCampaignDocument, RevokeApiKeyDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { makeCampaign } from './helpers/campaigns.ts';
import { waitFor } from './helpers/dialer.ts';
import { makeLeftovers, openRawSocket } from './helpers/ws.ts';

const leftovers = makeLeftovers();
let t: TestApp;
let org: TestOrg;
let server: RunningServer;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  leftovers.add(() => server.close());
});
afterAll(async () => {
  await leftovers.disposeAll();
  await t.close();
});

async function as(key: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await t.yoga.fetch('http://callboard.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

async function newKey(scopes: ('READ' | 'WRITE' | 'ADMIN')[], expiresAt?: string) {
  const created = await org.exec(CreateApiKeyDocument, { input: { name: `${scopes.join('+')} key`, scopes, expiresAt } });
  if (created.createApiKey.__typename !== 'CreateApiKeyPayload') throw new Error(JSON.stringify(created.createApiKey));
  return created.createApiKey;
}

describe('scoped keys', () => {
  it('READ keys query but cannot mutate; WRITE keys run campaigns but cannot administer; nothing is written when refused', async () => {
    const read = await newKey(['READ']);
    const write = await newKey(['WRITE']);
    expect(read.apiKey).toMatchObject({ scopes: ['READ'], prefix: read.secret.slice(0, 10), revokedAt: null });

    expect((await as(read.secret, '{ organization { id } }')).body).toEqual({ data: { organization: { id: org.orgId } } });
    const createCampaign = print(CreateCampaignDocument);
    const refused = await as(read.secret, createCampaign, { input: { name: 'by a reader' } });
    expect(refused.body.errors[0].message).toMatch(/not authorized/i);
    expect(await t.app.db.prisma.campaign.count({ where: { organizationId: org.orgId, name: 'by a reader' } })).toBe(0);

    expect((await as(write.secret, createCampaign, { input: { name: 'by a writer' } })).body.data.createCampaign.__typename).toBe('CreateCampaignPayload');
    const keysBefore = await t.app.db.prisma.apiKey.count({ where: { organizationId: org.orgId } });
    const escalate = await as(write.secret, print(CreateApiKeyDocument), { input: { name: 'escalation', scopes: ['ADMIN'] } });
    expect(escalate.body.errors[0].message).toMatch(/not authorized/i);
    expect(await t.app.db.prisma.apiKey.count({ where: { organizationId: org.orgId } })).toBe(keysBefore);
    expect((await as(write.secret, print(ApiKeysDocument))).body.errors[0].message).toMatch(/not authorized/i);
  });

  it('lists keys without secrets, with lastUsedAt; refuses bad input', async () => {
    const key = await newKey(['READ']);
    await as(key.secret, '{ organization { id } }');
    const list = (await org.exec(ApiKeysDocument, {})).organization.apiKeys;
    const listed = list.edges.find((e) => e.node.id === key.apiKey.id)!.node;
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(key.secret);
    const bad = await org.exec(CreateApiKeyDocument, { input: { name: '', scopes: [], expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect(bad.createApiKey).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['name'] }, { path: ['scopes'] }, { path: ['expiresAt'] }] });
  });

  it('an expired key gets 401', async () => {
    const key = await createKey(t.app.db.prisma, { id: org.orgId }, { scopes: ['READ'], expiresAt: new Date(Date.now() + 200) });
    expect((await as(key, '{ organization { id } }')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // past its expiry (a wait for time itself, not for work)
    expect((await as(key, '{ organization { id } }')).status).toBe(401);
  });
});

describe('revocation is immediate', () => {
  it('the next request gets 401, and open subscriptions end: the WebSocket is closed with 4401, the SSE stream ends', async () => {
    const key = await newKey(['READ']);
    const campaign = await makeCampaign(org, 'watched');
    const socket = await openRawSocket(server.url, leftovers);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${key.secret}` } });
    expect(await socket.waitForMessage()).toEqual({ type: 'connection_ack' });
    socket.send({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription($id: ID!) { campaignEvents(campaignId: $id) { sequence } }', variables: { id: campaign.id } },
    });

    const sse = await t.yoga.fetch('http://callboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key.secret}` },
      body: JSON.stringify({ query: 'subscription($id: ID!) { campaignEvents(campaignId: $id) { sequence } }', variables: { id: campaign.id } }),
    });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    const sseEnded = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    await waitFor(() => t.app.realtime.channelStats(campaign.dbId)?.subscribers === 2, 'both subscriptions to be open');

    const revoked = await org.exec(RevokeApiKeyDocument, { input: { id: key.apiKey.id } });
    expect(revoked.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { revokedAt: expect.any(String) } });
    expect((await as(key.secret, '{ organization { id } }')).status).toBe(401);
    expect((await socket.waitForClose()).code).toBe(WS_UNAUTHORIZED);
    expect(await sseEnded).toBe(true);
    await waitFor(() => (t.app.realtime.channelStats(campaign.dbId)?.subscribers ?? 0) === 0, 'the subscriptions to be gone');
  });

  it('another organisation’s key cannot be revoked (NotFound with the global id)', async () => {
    const other = await t.makeOrg();
    const key = await newKey(['READ']);
    const result = await other.exec(RevokeApiKeyDocument, { input: { id: key.apiKey.id } });
    expect(result.revokeApiKey).toMatchObject({ __typename: 'NotFound', id: key.apiKey.id });
    expect(
      await t.app.db.prisma.apiKey.findUniqueOrThrow({
        where: { id: (await t.app.db.prisma.apiKey.findFirstOrThrow({ where: { prefix: key.apiKey.prefix } })).id },
      }),
    ).toMatchObject({ revokedAt: null });
  });
});
