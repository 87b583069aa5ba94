import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthAgentsDocument,
  AuthNodeDocument,
  AuthNodesDocument,
  AuthOrganizationDocument,
  AuthUpdateAgentDocument,
  CampaignDocument,
  CampaignsDocument,
  CreateAgentDocument,
  CreateCampaignDocument,
  DeleteCampaignDocument,
  PauseCampaignDocument,
  ResumeCampaignDocument,
  RetryFailedCallsDocument,
  ScheduleCampaignDocument,
  StartCampaignDocument,
  StopCampaignDocument,
  UpdateCampaignDocument,
} from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';

// Organisation A holds a key; everything below belongs to organisation B. Whatever A sends with
// B's ids must read as "does not exist" (null, empty, NotFound) and change nothing of B's.
let t: TestApp;
let a: TestOrg;
let b: TestOrg;
let bCampaignId: string;
let bAgentId: string;

beforeAll(async () => {
  t = await makeTestApp();
  a = await t.makeOrg();
  b = await t.makeOrg();
  const agent = await b.exec(CreateAgentDocument, { input: { name: 'B’s agent', script: 'Hello from B' } });
  if (agent.createAgent.__typename !== 'CreateAgentPayload') throw new Error(agent.createAgent.__typename);
  bAgentId = agent.createAgent.agent.id;
  const campaign = await b.exec(CreateCampaignDocument, { input: { name: 'B’s campaign', agentId: bAgentId } });
  if (campaign.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error(campaign.createCampaign.__typename);
  bCampaignId = campaign.createCampaign.campaign.id;
  // Give B a call row so that start/stop/retry would have something to act on.
  const dbId = Buffer.from(bCampaignId, 'base64').toString().split(':')[1]!;
  await t.app.db.prisma.call.create({ data: { campaignId: dbId, phoneNumber: '+14155550100' } });
});
afterAll(() => t.close());

async function expectBUntouched() {
  const campaign = (await b.exec(CampaignDocument, { id: bCampaignId })).campaign;
  expect(campaign).toMatchObject({ name: 'B’s campaign', status: 'DRAFT', version: 1, deletedAt: null, agent: { id: bAgentId } });
  const agents = await b.exec(AuthAgentsDocument, {});
  expect(agents.agents.edges.map((e) => e.node)).toEqual([{ id: bAgentId, name: 'B’s agent' }]);
}

describe('organisation isolation', () => {
  it('shows A its own organisation only', async () => {
    expect((await a.exec(AuthOrganizationDocument, {})).organization.id).toBe(a.orgId);
    expect((await b.exec(AuthOrganizationDocument, {})).organization.id).toBe(b.orgId);
  });

  it('lists none of B’s campaigns or agents to A', async () => {
    const campaigns = await a.exec(CampaignsDocument, { first: 50, filter: { includeDeleted: true } });
    expect(campaigns.campaigns).toMatchObject({ totalCount: 0, edges: [] });
    const agents = await a.exec(AuthAgentsDocument, {});
    expect(agents.agents).toEqual({ totalCount: 0, edges: [] });
    // B sees its own, so the lists above are empty because of scoping, not because of no data.
    expect((await b.exec(CampaignsDocument, { first: 50 })).campaigns.totalCount).toBe(1);
  });

  it('reads B’s ids as null through campaign(id), node(id) and nodes(ids)', async () => {
    expect((await a.exec(CampaignDocument, { id: bCampaignId })).campaign).toBeNull();
    expect((await a.exec(AuthNodeDocument, { id: bCampaignId })).node).toBeNull();
    expect((await a.exec(AuthNodeDocument, { id: bAgentId })).node).toBeNull();
    expect((await a.exec(AuthNodesDocument, { ids: [bCampaignId, bAgentId] })).nodes).toEqual([null, null]);
    // The same ids resolve for their owner.
    expect((await b.exec(AuthNodesDocument, { ids: [bCampaignId, bAgentId] })).nodes).toEqual([
      { __typename: 'Campaign', id: bCampaignId },
      { __typename: 'Agent', id: bAgentId },
    ]);
  });

  it('answers every campaign mutation on B’s campaign with NotFound and changes nothing', async () => {
    const input = { id: bCampaignId };
    const results = [
      (await a.exec(UpdateCampaignDocument, { input: { ...input, name: 'hijacked' } })).updateCampaign,
      (await a.exec(ScheduleCampaignDocument, { input: { ...input, startAt: new Date(Date.now() + 3_600_000).toISOString() } })).scheduleCampaign,
      (await a.exec(StartCampaignDocument, { input })).startCampaign,
      (await a.exec(PauseCampaignDocument, { input })).pauseCampaign,
      (await a.exec(ResumeCampaignDocument, { input })).resumeCampaign,
      (await a.exec(StopCampaignDocument, { input })).stopCampaign,
      (await a.exec(RetryFailedCallsDocument, { input })).retryFailedCalls,
      (await a.exec(DeleteCampaignDocument, { input })).deleteCampaign,
    ];
    for (const result of results) expect(result).toMatchObject({ __typename: 'NotFound', id: bCampaignId });
    await expectBUntouched();
  });

  it('answers updateAgent on B’s agent with NotFound and changes nothing', async () => {
    const result = await a.exec(AuthUpdateAgentDocument, { input: { id: bAgentId, name: 'hijacked', script: 'x' } });
    expect(result.updateAgent).toMatchObject({ __typename: 'NotFound', id: bAgentId });
    await expectBUntouched();
  });

  it('refuses to attach B’s agent to A’s campaigns (NotFound)', async () => {
    const created = await a.exec(CreateCampaignDocument, { input: { name: 'A’s campaign', agentId: bAgentId } });
    expect(created.createCampaign).toMatchObject({ __typename: 'NotFound', id: bAgentId });
    const own = await a.exec(CreateCampaignDocument, { input: { name: 'A’s campaign' } });
    if (own.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error(own.createCampaign.__typename);
    const updated = await a.exec(UpdateCampaignDocument, { input: { id: own.createCampaign.campaign.id, agentId: bAgentId } });
    expect(updated.updateCampaign).toMatchObject({ __typename: 'NotFound', id: bAgentId });
    expect((await a.exec(CampaignDocument, { id: own.createCampaign.campaign.id })).campaign).toMatchObject({ agent: null, version: 1 });
    await expectBUntouched();
  });
});
