import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transition, type CampaignAction, type CampaignStatus } from '../src/domain/lifecycle.ts';
import { PauseCampaignDocument, ResumeCampaignDocument, StartCampaignDocument, StopCampaignDocument, UpdateCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, expectExactStats, makeCampaign, snapshot } from './helpers/campaigns.ts';

/**
 * Many mutations on one campaign at once, over HTTP. On PGlite they are serialised by the single
 * connection; on PostgreSQL (DATABASE_URL) they really run in parallel on a pool of 20, which is
 * where a lost update or a gap in the event log would show.
 */

let t: TestApp;
let org: TestOrg;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t.close());

type Outcome = { kind: 'pause' | 'resume' | 'update' | 'guarded-update' | 'stop'; typename: string; version?: number; status?: string };

const KIND_TO_ACTION: Record<string, CampaignAction> = {
  CAMPAIGN_START: 'START',
  CAMPAIGN_PAUSE: 'PAUSE',
  CAMPAIGN_RESUME: 'RESUME',
  CAMPAIGN_STOP: 'STOP',
  CAMPAIGN_UPDATED: 'EDIT',
};

async function pause(id: string): Promise<Outcome> {
  const r = (await org.exec(PauseCampaignDocument, { input: { id } })).pauseCampaign;
  return r.__typename === 'PauseCampaignPayload'
    ? { kind: 'pause', typename: r.__typename, version: r.campaign.version, status: r.campaign.status }
    : { kind: 'pause', typename: r.__typename, status: 'status' in r ? r.status : undefined };
}

async function resume(id: string): Promise<Outcome> {
  const r = (await org.exec(ResumeCampaignDocument, { input: { id } })).resumeCampaign;
  return r.__typename === 'ResumeCampaignPayload'
    ? { kind: 'resume', typename: r.__typename, version: r.campaign.version, status: r.campaign.status }
    : { kind: 'resume', typename: r.__typename, status: 'status' in r ? r.status : undefined };
}

async function stop(id: string): Promise<Outcome> {
  const r = (await org.exec(StopCampaignDocument, { input: { id } })).stopCampaign;
  return r.__typename === 'StopCampaignPayload'
    ? { kind: 'stop', typename: r.__typename, version: r.campaign.version, status: r.campaign.status }
    : { kind: 'stop', typename: r.__typename, status: 'status' in r ? r.status : undefined };
}

async function update(id: string, name: string, expectedVersion?: number): Promise<Outcome> {
  const kind = expectedVersion == null ? 'update' : 'guarded-update';
  const r = (await org.exec(UpdateCampaignDocument, { input: { id, name, expectedVersion } })).updateCampaign;
  if (r.__typename === 'UpdateCampaignPayload') return { kind, typename: r.__typename, version: r.campaign.version, status: r.campaign.status };
  if (r.__typename === 'VersionConflict') return { kind, typename: r.__typename, version: r.currentVersion };
  return { kind, typename: r.__typename };
}

const succeeded = (o: Outcome) => o.typename.endsWith('Payload');

/** Deterministic shuffle (xorshift), so a failing interleaving can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = Math.abs(x) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The invariants after any burst: the version counts every successful change exactly once, the
 * event log is 1..N without gaps with N = version - 1, and replaying it through the state machine
 * from DRAFT is legal at every step and ends in the stored status.
 */
async function expectConsistent(campaignId: string) {
  const { campaign } = await snapshot(t, campaignId);
  const events = await t.app.db.prisma.campaignEvent.findMany({ where: { campaignId }, orderBy: { sequence: 'asc' } });
  expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
  expect(events).toHaveLength(campaign.version - 1);
  expect(campaign.eventSequence).toBe(events.length);
  let status: CampaignStatus = 'DRAFT';
  for (const e of events) {
    const step = transition(status, KIND_TO_ACTION[e.kind]!);
    if (!step.ok) throw new Error(`event ${e.sequence} ${e.kind} is illegal in ${status}`);
    status = step.to;
  }
  expect(campaign.status).toBe(status);
  return campaign;
}

describe('concurrent mutations on one campaign', () => {
  let id: string;
  let dbId: string;

  beforeAll(async () => {
    ({ id, dbId } = await makeCampaign(org, 'Hot campaign'));
    await addCalls(
      t,
      dbId,
      Array.from({ length: 50 }, () => ({})),
    );
    await org.exec(StartCampaignDocument, { input: { id } });
  });

  it('10 clients updating with the same expectedVersion: exactly one wins, the others get VersionConflict', async () => {
    const { campaign: before } = await snapshot(t, dbId);
    const names = Array.from({ length: 10 }, (_, i) => `client ${i}`);
    const results = await Promise.all(names.map((name) => update(id, name, before.version)));
    const winners = results.filter(succeeded);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.version).toBe(before.version + 1);
    for (const loser of results.filter((r) => !succeeded(r))) {
      expect(loser).toMatchObject({ typename: 'VersionConflict', version: before.version + 1 });
    }
    const after = await expectConsistent(dbId);
    expect(after.version).toBe(before.version + 1);
    expect(names).toContain(after.name);
  });

  it.each([1, 2, 3])('20 pause/resume interleaved with 20 updates (round %i): no lost update, no impossible state', async (round) => {
    const { campaign: before } = await snapshot(t, dbId);
    const jobs: (() => Promise<Outcome>)[] = [
      ...Array.from({ length: 20 }, (_, i) => () => (i % 2 ? resume(id) : pause(id))),
      ...Array.from({ length: 10 }, (_, i) => () => update(id, `round ${round} guarded ${i}`, before.version)),
      ...Array.from({ length: 10 }, (_, i) => () => update(id, `round ${round} free ${i}`)),
    ];
    const results = await Promise.all(shuffle(jobs, round * 7919).map((job) => job()));

    for (const r of results) {
      if (succeeded(r)) continue;
      // Refusals are typed, and name a status the refused action really is illegal in.
      if (r.kind === 'pause') expect(r).toMatchObject({ typename: 'InvalidCampaignTransition', status: 'PAUSED' });
      else if (r.kind === 'resume') expect(r).toMatchObject({ typename: 'InvalidCampaignTransition', status: 'RUNNING' });
      else expect(r).toMatchObject({ kind: 'guarded-update', typename: 'VersionConflict' });
    }
    for (const r of results.filter(succeeded)) {
      if (r.kind === 'pause') expect(r.status).toBe('PAUSED');
      if (r.kind === 'resume') expect(r.status).toBe('RUNNING');
    }
    // Updates without expectedVersion all land; of the guarded ones at most one (the first).
    expect(results.filter((r) => r.kind === 'update' && succeeded(r))).toHaveLength(10);
    expect(results.filter((r) => r.kind === 'guarded-update' && succeeded(r)).length).toBeLessThanOrEqual(1);
    const guardedWin = results.find((r) => r.kind === 'guarded-update' && succeeded(r));
    if (guardedWin) expect(guardedWin.version).toBe(before.version + 1);

    // Every success wrote its own version: together exactly before+1 … before+successes.
    const versions = results
      .filter(succeeded)
      .map((r) => r.version!)
      .sort((a, b) => a - b);
    expect(versions).toEqual(versions.map((_, i) => before.version + 1 + i));
    const after = await expectConsistent(dbId);
    expect(after.version).toBe(before.version + versions.length);
  });

  it('racing stops, pauses, resumes and updates: exactly one stop wins and nothing changes after it', async () => {
    const { campaign: before } = await snapshot(t, dbId);
    const jobs: (() => Promise<Outcome>)[] = [
      ...Array.from({ length: 5 }, () => () => stop(id)),
      ...Array.from({ length: 10 }, (_, i) => () => (i % 2 ? resume(id) : pause(id))),
      ...Array.from({ length: 5 }, (_, i) => () => update(id, `late ${i}`)),
    ];
    const results = await Promise.all(shuffle(jobs, 4242).map((job) => job()));
    const stops = results.filter((r) => r.kind === 'stop');
    expect(stops.filter(succeeded)).toHaveLength(1);
    for (const s of stops.filter((r) => !succeeded(r))) expect(s).toMatchObject({ typename: 'InvalidCampaignTransition', status: 'CANCELED' });

    const stopVersion = stops.find(succeeded)!.version!;
    const versions = results.filter(succeeded).map((r) => r.version!);
    // Everything that succeeded happened before the stop; everything after it was refused.
    for (const v of versions) expect(v).toBeLessThanOrEqual(stopVersion);
    const after = await expectConsistent(dbId);
    expect(after).toMatchObject({ status: 'CANCELED', version: stopVersion });
    expect(stopVersion).toBe(before.version + versions.length);
    const calls = (await snapshot(t, dbId)).calls;
    expect(calls.every((c) => c.status === 'CANCELED' && c.outcome === 'NOT_DIALED')).toBe(true);
    await expectExactStats(t, dbId);
  });
});
