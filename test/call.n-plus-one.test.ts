import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignListWithCallsDocument, CreateAgentDocument, CreateCampaignDocument } from './generated/operations.ts';
import { POLL_SQL_TAG } from '../src/db/sql-literals.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { dbIdOf } from './helpers/campaigns.ts';
import { addContactsOk, usNumbers } from './helpers/calls.ts';

let t: TestApp;
let org: TestOrg;

/**
 * The statements one request sends, whatever N is: campaigns page, agents, counters (stats and
 * totalCount share one loader), the calls pages of every campaign (one LATERAL statement), the
 * call nodes, their attempts. The API key was checked by an earlier request and is remembered
 * (auth/key-cache.ts); the timers' polls (tagged POLL_SQL_TAG) are not the request's.
 */
const EXPECTED_STATEMENTS = 6;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  const agent = await org.exec(CreateAgentDocument, { input: { name: 'Ava', script: 'Hello {{name}}' } });
  if (agent.createAgent.__typename !== 'CreateAgentPayload') throw new Error(agent.createAgent.__typename);
  for (let i = 0; i < 10; i++) {
    const created = await org.exec(CreateCampaignDocument, { input: { name: `Campaign ${i}`, agentId: agent.createAgent.agent.id } });
    if (created.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error(created.createCampaign.__typename);
    const id = created.createCampaign.campaign.id;
    await addContactsOk(org, { campaignId: id, contacts: usNumbers(8, i * 100).map((phoneNumber, j) => ({ phoneNumber, name: `C${i}.${j}` })) });
    const calls = await t.app.db.prisma.call.findMany({ where: { campaignId: dbIdOf(id) }, take: 3 });
    await t.app.db.prisma.callAttempt.createMany({
      data: calls.flatMap((c) => [1, 2].map((number) => ({ campaignId: c.campaignId, callId: c.id, number, toNumber: c.phoneNumber }))),
    });
    await t.app.db.prisma.call.updateMany({ where: { id: { in: calls.map((c) => c.id) } }, data: { status: 'FAILED', outcome: 'NO_ANSWER', attemptCount: 2 } });
  }
});
afterAll(() => t.close());

async function countStatements(first: number) {
  const statements: string[] = [];
  t.app.db.onQuery((sql) => {
    if (!sql.includes(POLL_SQL_TAG)) statements.push(sql);
  });
  try {
    const result = await org.exec(CampaignListWithCallsDocument, { first });
    return { statements, result };
  } finally {
    t.app.db.onQuery(null);
  }
}

describe('campaign list with stats and nested calls', () => {
  it('costs the same small number of SQL statements for 2 and for 10 campaigns', async () => {
    const two = await countStatements(2);
    const ten = await countStatements(10);
    expect(ten.result.campaigns.edges).toHaveLength(10);
    const node = ten.result.campaigns.edges[9]!.node;
    expect(node).toMatchObject({ name: 'Campaign 9', agent: { name: 'Ava' }, stats: { total: 8 }, calls: { totalCount: 8 } });
    expect(node.calls.edges).toHaveLength(5);
    expect(node.stats.byOutcome).toEqual([{ outcome: 'NO_ANSWER', count: 3 }]);
    expect(ten.result.campaigns.edges.flatMap((e) => e.node.calls.edges.map((c) => c.node.attempts.length)).filter((n) => n === 2)).toHaveLength(30);
    expect(ten.statements.length).toBe(two.statements.length);
    expect(ten.statements.length).toBe(EXPECTED_STATEMENTS);
  });
});
