import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ACTIONS } from '../src/domain/lifecycle.ts';
import { CampaignActionsDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { addCalls, makeCampaign } from './helpers/campaigns.ts';

let t: TestApp;
let org: TestOrg;
beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
});
afterAll(() => t?.close());

/** Each user action as the mutation a button sends. */
const MUTATIONS: Record<(typeof USER_ACTIONS)[number], string> = {
  START: 'startCampaign(input: { id: $id })',
  SCHEDULE: 'scheduleCampaign(input: { id: $id, startAt: $at })',
  PAUSE: 'pauseCampaign(input: { id: $id })',
  RESUME: 'resumeCampaign(input: { id: $id })',
  STOP: 'stopCampaign(input: { id: $id })',
  RETRY_FAILED: 'retryFailedCalls(input: { id: $id })',
  COMPLETE: 'completeCampaign(input: { id: $id })',
  DUPLICATE: 'duplicateCampaign(input: { id: $id })',
  DELETE: 'deleteCampaign(input: { id: $id })',
};

async function apply(id: string, action: (typeof USER_ACTIONS)[number]): Promise<string> {
  const schedule = action === 'SCHEDULE';
  const document = parse(`mutation($id: ID!${schedule ? ', $at: DateTime!' : ''}) { result: ${MUTATIONS[action]} { __typename } }`);
  const variables = schedule ? { id, at: new Date(Date.now() + 3_600_000).toISOString() } : { id };
  const result = await org.execRaw(document as never, variables as never);
  if (result.errors?.length) return `error: ${result.errors[0]!.message}`;
  return (result.data as { result: { __typename: string } }).result.__typename;
}

type State = { name: string; expected: string[]; make: () => Promise<{ id: string; dbId: string }> };

/** Campaigns in each situation a page meets, with the buttons it must show. */
const STATES: State[] = [
  {
    name: 'DRAFT without an agent',
    expected: ['SCHEDULE', 'STOP', 'DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org);
      await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { agentId: null } });
      await addCalls(t, c.dbId, [{}]);
      return c;
    },
  },
  {
    name: 'DRAFT with an agent and contacts',
    expected: ['START', 'SCHEDULE', 'STOP', 'DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org);
      await addCalls(t, c.dbId, [{}, {}]);
      return c;
    },
  },
  {
    name: 'DRAFT without contacts',
    expected: ['SCHEDULE', 'STOP', 'DUPLICATE', 'DELETE'],
    make: () => makeCampaign(org),
  },
  {
    name: 'RUNNING with a failed call',
    expected: ['PAUSE', 'STOP', 'RETRY_FAILED', 'DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org);
      await addCalls(t, c.dbId, [{ status: 'FAILED', outcome: 'TECHNICAL_ERROR', attemptCount: 3 }, { status: 'PENDING' }]);
      await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { status: 'RUNNING', startedAt: new Date() } });
      return c;
    },
  },
  {
    name: 'PAUSED without failures',
    expected: ['RESUME', 'STOP', 'DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org);
      await addCalls(t, c.dbId, [{ status: 'PENDING' }]);
      await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { status: 'PAUSED', pauseReason: 'MANUAL', startedAt: new Date() } });
      return c;
    },
  },
  {
    name: 'COMPLETED with a failed call',
    expected: ['RETRY_FAILED', 'DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org);
      await addCalls(t, c.dbId, [
        { status: 'FAILED', outcome: 'ISSUE_DIALING', attemptCount: 3 },
        { status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 },
      ]);
      await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { status: 'COMPLETED', startedAt: new Date(), completedAt: new Date() } });
      return c;
    },
  },
  {
    name: 'CANCELED',
    expected: ['DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org);
      await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { status: 'CANCELED', canceledAt: new Date() } });
      return c;
    },
  },
  {
    name: 'continuous (autoComplete false), RUNNING and idle',
    expected: ['PAUSE', 'STOP', 'COMPLETE', 'DUPLICATE', 'DELETE'],
    make: async () => {
      const c = await makeCampaign(org, 'Inbound leads', { autoComplete: false });
      await addCalls(t, c.dbId, [{ status: 'COMPLETED', outcome: 'ANSWERED', attemptCount: 1 }]);
      await t.app.db.prisma.campaign.update({ where: { id: c.dbId }, data: { status: 'RUNNING', startedAt: new Date() } });
      return c;
    },
  },
  {
    name: 'deleted',
    expected: ['DUPLICATE'],
    make: async () => {
      const c = await makeCampaign(org);
      expect(await apply(c.id, 'DELETE')).toBe('DeleteCampaignPayload');
      return c;
    },
  },
];

describe('Campaign.availableActions', () => {
  it.each(STATES)('$name: shows exactly the buttons that work', async ({ make, expected }) => {
    const first = await make();
    const shown = (await org.exec(CampaignActionsDocument, { id: first.id })).campaign!.availableActions;
    expect(shown).toEqual(expected);
    // Each shown action succeeds and each hidden one is refused — on a fresh campaign in the same state.
    for (const action of USER_ACTIONS) {
      const c = action === USER_ACTIONS[0] ? first : await make();
      const answer = await apply(c.id, action);
      if (shown.includes(action)) expect(answer, action).toMatch(/Payload$/);
      else expect(answer, action).not.toMatch(/Payload$/);
    }
  });
});
