import { expect } from 'vitest';
import type { CallOutcome, CallStatus, Prisma } from '../../src/db/generated/prisma/client.ts';
import { decodeId } from '../../src/schema/common/ids.ts';
import { CreateAgentDocument, CreateCampaignDocument, type CampaignSettingsInput } from '../generated/operations.ts';
import { statsFromCounters, statsFromRows } from './tally.ts';
import type { TestApp, TestOrg } from './app.ts';

/** The database uuid inside a Campaign global id. */
export function dbIdOf(globalId: string): string {
  const id = decodeId(globalId, 'Campaign');
  if (!id) throw new Error(`not a Campaign id: ${globalId}`);
  return id;
}

const agents = new Map<string, string>();

/** The organisation's test agent (one per organisation): a campaign needs one to start. */
async function agentOf(org: TestOrg): Promise<string> {
  let id = agents.get(org.orgId);
  if (!id) {
    const created = await org.exec(CreateAgentDocument, { input: { name: 'Ava', script: 'Hi {{name}}, this is Ava.', voice: 'alloy' } });
    if (created.createAgent.__typename !== 'CreateAgentPayload') throw new Error(created.createAgent.__typename);
    id = created.createAgent.agent.id;
    agents.set(org.orgId, id);
  }
  return id;
}

/** A DRAFT campaign created through the API, with an agent (it can start). */
export async function makeCampaign(org: TestOrg, name = 'Spring renewals', settings?: CampaignSettingsInput) {
  const created = await org.exec(CreateCampaignDocument, { input: { name, settings, agentId: await agentOf(org) } });
  if (created.createCampaign.__typename !== 'CreateCampaignPayload') throw new Error(created.createCampaign.__typename);
  const campaign = created.createCampaign.campaign;
  return { id: campaign.id, dbId: dbIdOf(campaign.id), campaign };
}

export interface CallSpec {
  status?: CallStatus;
  outcome?: CallOutcome | null;
  attemptCount?: number;
  connected?: boolean;
  durationSeconds?: number;
}

let phoneCounter = 0;

/**
 * Inserts call rows in exactly the states a test needs, straight through Prisma (the tally
 * triggers keep the counters right for any insert).
 */
export async function addCalls(t: TestApp, campaignId: string, specs: CallSpec[]) {
  const data: Prisma.CallCreateManyInput[] = specs.map((s, i) => ({
    campaignId,
    phoneNumber: `+1415555${String(1000 + (++phoneCounter % 9000))}`,
    name: `Contact ${i + 1}`,
    position: i,
    status: s.status ?? 'PENDING',
    outcome: s.outcome ?? null,
    attemptCount: s.attemptCount ?? 0,
    connected: s.connected ?? false,
    durationSeconds: s.durationSeconds ?? 0,
  }));
  await t.app.db.prisma.call.createMany({ data });
  return t.app.db.prisma.call.findMany({ where: { campaignId }, orderBy: { position: 'asc' } });
}

/** Everything a refused mutation must leave untouched: the campaign row, its calls and its events. */
export async function snapshot(t: TestApp, campaignId: string) {
  const prisma = t.app.db.prisma;
  const [campaign, calls, events] = await Promise.all([
    prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } }),
    prisma.call.findMany({ where: { campaignId }, orderBy: { id: 'asc' } }),
    prisma.campaignEvent.count({ where: { campaignId } }),
  ]);
  return { campaign, calls, events };
}

/** The counters equal a GROUP BY over the rows (asserted after every kind of change). */
export async function expectExactStats(t: TestApp, campaignId: string) {
  const now = new Date();
  expect(await statsFromCounters(t.app, campaignId, now)).toEqual(await statsFromRows(t.app, campaignId, now));
}

/** Kinds of the campaign's events in sequence order, checking the sequence is 1..N without gaps. */
export async function eventKinds(t: TestApp, campaignId: string): Promise<string[]> {
  const events = await t.app.db.prisma.campaignEvent.findMany({ where: { campaignId }, orderBy: { sequence: 'asc' } });
  expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
  return events.map((e) => e.kind);
}
