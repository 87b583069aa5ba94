import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/dialer/worker.ts';
import { CampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectApiStatsExact } from './helpers/calls.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'callboard-dialer-run-'));
const ledgerPath = path.join(dir, 'ledger.jsonl');
let t: TestApp;
let org: TestOrg;
let worker: RunningWorker;

beforeAll(async () => {
  t = await makeTestApp({ CALLBOARD_SIMULATOR_SPEED: '20000', CALLBOARD_SIMULATOR_LEDGER: ledgerPath, CALLBOARD_SIMULATOR_SEED: '7' });
  org = await t.makeOrg();
  worker = await startWorker(t.app, { pollIntervalMs: 50 });
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a campaign on the simulator', () => {
  it('runs 500 contacts to COMPLETED: every call final, stats equal the rows, one dial per attempt row', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 500, settings: { maxConcurrentCalls: 50 } });
    await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000);
    const open = await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: { in: ['PENDING', 'RETRY_SCHEDULED', 'IN_PROGRESS'] } } });
    expect(open).toBe(0);
    const stats = await expectApiStatsExact(t, org, campaign.id);
    expect(stats.total).toBe(500);
    expect(stats.completed + stats.failed).toBe(500);
    const audit = await auditLedger(t, ledgerPath, campaign.dbId);
    expect(audit.dials).toBe(stats.attempts);
    expect((await org.exec(CampaignDocument, { id: campaign.id })).campaign?.status).toBe('COMPLETED');
  });
});
