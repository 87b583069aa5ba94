import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { buildSchema, parse, validate, type ExecutionResult } from 'graphql';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedger } from '../src/dialer/providers/simulator-ledger.ts';
import { decodeId } from '../src/schema/common/ids.ts';
import { PauseCampaignDocument, ResumeCampaignDocument, StartCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type Exec, type TestApp, type TestOrg } from './helpers/app.ts';
import { expectApiStatsExact } from './helpers/calls.ts';
import { spawnCli, startServe, type CliChild } from './helpers/cli.ts';
import { auditLedger, campaignStatus, makeDialableCampaign, waitFor } from './helpers/dialer.ts';
import { Leftovers, makeWsClient, subscribeWs } from './helpers/subscriptions.ts';
import { makeLeftovers } from './helpers/ws.ts';

/**
 * The deployment of issue 3, for real: two `serve --no-worker` processes and two `worker`
 * processes on one PostgreSQL database and one Redis. Several processes need a database server
 * (PGlite is one process's) and a shared bus, so that test runs only when DATABASE_URL and
 * REDIS_URL are set; on PGlite, test/realtime.cross-process.test.ts (two APIs, one subscriber)
 * and test/dialer.recovery.test.ts (workers sharing calls) cover the in-process equivalents.
 */
const multiProcess = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

/**
 * campaignEvents with the id of the call each CALL_UPDATED is about. Inline rather than in
 * test/operations: none of the committed operations selects just that (DashboardEvents also reads
 * stats for every event, which costs more than the rest of the test on two cores).
 */
const EventsWithCallDocument = parse(/* GraphQL */ `
  subscription MultiProcessEvents($campaignId: ID!, $after: Int) {
    campaignEvents(campaignId: $campaignId, after: $after) {
      sequence
      kind
      call { id }
    }
  }
`) as TypedDocumentNode<{ campaignEvents: { sequence: number; kind: string; call: { id: string } | null } }, { campaignId: string; after?: number | null }>;

// Codegen validates test/operations only: this one is checked here, on every database kind (which
// also keeps the file non-empty where the multi-process test does not run).
describe('the subscription the multi-process test reads', () => {
  it('is valid against the committed schema', async () => {
    const schema = buildSchema(await readFile(fileURLToPath(new URL('../schema/schema.graphql', import.meta.url)), 'utf8'));
    expect(validate(schema, EventsWithCallDocument).map((e) => e.message)).toEqual([]);
  });
});

if (multiProcess) {
  describe('two API processes and two worker processes (PostgreSQL + Redis)', () => {
    /** Children that SIGTERM did not stop are SIGKILLed by spawnCli's leftovers. */
    const STOP_DEADLINE_MS = 20_000;

    let t: TestApp;
    let org: TestOrg;
    let dir: string;
    const children = makeLeftovers();
    const clients = new Leftovers();
    const running: CliChild[] = [];
    /** Workers under SIGSTOP: resumed before anything else is done with them. */
    const frozen = new Set<CliChild>();
    const freeze = (child: CliChild) => {
      frozen.add(child);
      child.proc.kill('SIGSTOP');
    };
    const thaw = (child: CliChild) => {
      frozen.delete(child);
      child.proc.kill('SIGCONT');
    };

    /** The org's key works on every process: they all read the same database. */
    function orgOver(url: string): TestOrg {
      const executor = buildHTTPExecutor({ endpoint: url, headers: { authorization: `Bearer ${org.key}` } });
      const execRaw = async <R, V>(document: TypedDocumentNode<R, V>, variables: V) =>
        (await executor({
          document: document as TypedDocumentNode<R, Record<string, unknown>>,
          variables: variables as Record<string, unknown>,
        })) as ExecutionResult<R>;
      const exec: Exec = async (document, variables) => {
        const result = await execRaw(document, variables);
        if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
        return result.data!;
      };
      return { orgId: org.orgId, key: org.key, exec, execRaw };
    }

    beforeAll(async () => {
      t = await makeTestApp();
      org = await t.makeOrg();
      dir = await mkdtemp(path.join(tmpdir(), 'callboard-multi-process-'));
    });

    afterAll(async () => {
      await clients.dispose();
      // Graceful first (workers release their leases), bounded; then whatever is left is killed.
      for (const child of frozen) thaw(child);
      for (const child of running) child.proc.kill('SIGTERM');
      await Promise.all(running.map((child) => child.waitForExit(STOP_DEADLINE_MS).catch(() => undefined)));
      await children.disposeAll();
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 60_000);

    it('a subscriber on one API process sees the work of both workers, in order and gapless; no call is claimed twice (ledger)', async () => {
      const shared = { DATABASE_URL: t.database.url!, CALLBOARD_DATA_DIR: dir };
      // Each worker has a ledger of its own, so the test knows which worker dialed what; same
      // seed and speed, as instances of one provider would have.
      const ledgers = [path.join(dir, 'worker-1.jsonl'), path.join(dir, 'worker-2.jsonl')];
      const workers = ledgers.map((ledger, i) =>
        spawnCli(
          ['worker'],
          {
            ...shared,
            CALLBOARD_SIMULATOR_LEDGER: ledger,
            CALLBOARD_SIMULATOR_SPEED: '200',
            CALLBOARD_SIMULATOR_SEED: '5',
            CALLBOARD_WORKER_ID: `multi-${i + 1}`,
          },
          children,
        ),
      );
      running.push(...workers);
      // Start-up (tsx compiling the sources) is the slow part on two cores: all four at once.
      const [a, b] = await Promise.all([startServe(shared, children), startServe(shared, children)]);
      running.push(a.child, b.child);
      await Promise.all(workers.map((w) => w.waitForLog('callboard worker is running')));
      const viaA = orgOver(a.url);
      const viaB = orgOver(b.url);

      const campaign = await makeDialableCampaign(viaB, { contacts: 120, settings: { maxConcurrentCalls: 20, maxAttempts: 2 }, start: false });
      const client = makeWsClient(a.url, org.key, clients);
      const events = subscribeWs(client, EventsWithCallDocument, { campaignId: campaign.id, after: 0 }, clients);
      // The replay of CONTACTS_ADDED: the subscription is running on A before the campaign starts.
      await events.received.until(() => events.received.results.length > 0, 15_000, 'the first event on A');

      // An idle worker claims on its 1 s poll while a busy one refills the slots its own results
      // free at once, so left alone one worker may well dial everything in a short run. SIGSTOP
      // pins the order instead — only ever on a worker that holds nothing (no lease, no lock):
      // worker 2 dials alone, the campaign pauses until its calls are done, worker 1 dials alone
      // after the resume, then both run to the end together.
      const [w1, w2] = workers as [CliChild, CliChild];
      const dialed = async (ledger: string) => (await readLedger(ledger)).length > 0;
      const inProgress = () => t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: 'IN_PROGRESS' } });
      freeze(w1);
      const started = await viaB.exec(StartCampaignDocument, { input: { id: campaign.id } });
      expect(started.startCampaign.__typename).toBe('StartCampaignPayload');
      await waitFor(() => dialed(ledgers[1]!), 'worker 2 to dial', 30_000, 50);
      expect((await viaB.exec(PauseCampaignDocument, { input: { id: campaign.id } })).pauseCampaign.__typename).toBe('PauseCampaignPayload');
      await waitFor(async () => (await inProgress()) === 0, 'the calls of worker 2 to end', 30_000, 50);
      freeze(w2);
      thaw(w1);
      expect((await viaB.exec(ResumeCampaignDocument, { input: { id: campaign.id } })).resumeCampaign.__typename).toBe('ResumeCampaignPayload');
      await waitFor(() => dialed(ledgers[0]!), 'worker 1 to dial', 30_000, 50);
      thaw(w2);
      await waitFor(async () => (await campaignStatus(t, campaign.dbId)).status === 'COMPLETED', 'the campaign to complete', 60_000, 100);
      const isComplete = () => events.received.results.some((r) => r.data?.campaignEvents.kind === 'CAMPAIGN_COMPLETE');
      await events.received.until(isComplete, 15_000, 'CAMPAIGN_COMPLETE on A');

      // Both workers worked; together they dialed each attempt once and no call beyond its attempts.
      const [first, second] = await Promise.all(ledgers.map((ledger) => readLedger(ledger)));
      expect(first!.length).toBeGreaterThan(0);
      expect(second!.length).toBeGreaterThan(0);
      const union = path.join(dir, 'union.jsonl');
      await writeFile(union, (await Promise.all(ledgers.map((ledger) => readFile(ledger, 'utf8')))).join(''));
      const audit = await auditLedger(t, union, campaign.dbId);
      expect(audit.dials).toBe(first!.length + second!.length);
      expect(audit.dials).toBeGreaterThanOrEqual(120);
      const open = await t.app.db.prisma.call.count({ where: { campaignId: campaign.dbId, status: { in: ['PENDING', 'RETRY_SCHEDULED', 'IN_PROGRESS'] } } });
      expect(open).toBe(0);

      // A's subscriber got the whole log: 1..N in order, no errors, ending with CAMPAIGN_COMPLETE.
      expect(events.received.results.filter((r) => r.errors?.length)).toEqual([]);
      const received = events.received.results.map((r) => r.data!.campaignEvents);
      const logged = await t.app.db.prisma.campaignEvent.count({ where: { campaignId: campaign.dbId } });
      expect(received.map((e) => e.sequence)).toEqual(Array.from({ length: logged }, (_, i) => i + 1));
      expect(received.at(-1)!.kind).toBe('CAMPAIGN_COMPLETE');
      expect(received.filter((e) => e.kind === 'CAMPAIGN_COMPLETE')).toHaveLength(1);

      // …including a CALL_UPDATED for every call either worker dialed.
      const updated = new Set(received.filter((e) => e.kind === 'CALL_UPDATED').map((e) => decodeId(e.call!.id, 'Call')));
      for (const [i, ledger] of [first!, second!].entries()) {
        const missing = [...new Set(ledger.map((e) => e.callId))].filter((id) => !updated.has(id));
        expect(missing, `calls of worker ${i + 1} without CALL_UPDATED on A`).toEqual([]);
      }

      // Stats served by either process are exact (GROUP BY over the call rows).
      await expectApiStatsExact(t, viaA, campaign.id);
      await expectApiStatsExact(t, viaB, campaign.id);
    }, 120_000);
  });
}
