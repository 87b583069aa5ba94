import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { createYogaApp, startServer, type RunningServer } from '../src/server.ts';
import { createKey, hashKey } from '../src/auth/keys.ts';
import { globalId } from '../src/domain/ids.ts';
import { CallUpdatedDocument, CampaignEventsDocument, RevokeApiKeyDocument, StartCampaignDocument, UpdateCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import {
  busReady,
  eventually,
  Leftovers,
  makeCampaignWithCalls,
  makeWsClient,
  subscribersReady,
  subscribeWs,
  transitionCall,
} from './helpers/subscriptions.ts';

/**
 * Two API processes in one test: app A serves the subscriber, app B (its own App, pub/sub and —
 * on PostgreSQL — its own connection pool to the same database) takes the writes. With REDIS_URL
 * B's publishes reach A through Redis; without it the two in-process buses are separate, as two
 * embedded processes' would be, and A must still deliver everything from the database poll.
 */
let t: TestApp;
let org: TestOrg;
let server: RunningServer;
let appB: App;
let execB: <R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V) => Promise<R>;
const leftovers = new Leftovers();
const viaRedis = Boolean(process.env.REDIS_URL);

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg();
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', REDIS_URL: process.env.REDIS_URL, DATABASE_URL: t.database.url });
  // PGlite lives in this process: B shares the instance (a second process could not open it).
  const db = t.database.url ? await openDatabase({ url: t.database.url, poolSize: 4 }) : t.app.db;
  appB = await createApp(config, { db });
  const yogaB = createYogaApp(appB);
  const executor = buildHTTPExecutor({ endpoint: 'http://b.test/graphql', fetch: yogaB.fetch, headers: { authorization: `Bearer ${org.key}` } });
  execB = async (document, variables) => {
    const result = (await executor({ document: document as never, variables })) as ExecutionResult<never>;
    if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
});

afterAll(async () => {
  await leftovers.dispose();
  await server?.close();
  await appB?.pubsub.close();
  if (t?.database.url) await appB?.db.close();
  await t?.close();
});

describe(`changes made through another process (${viaRedis ? 'Redis' : 'no shared bus: database poll'})`, () => {
  it('reach a subscriber of this process, in order, without gaps', async () => {
    const { id, dbId, callIds } = await makeCampaignWithCalls(t, org, 3);
    const client = makeWsClient(server.url, org.key, leftovers);
    const events = subscribeWs(client, CampaignEventsDocument, { campaignId: id, after: 0 }, leftovers);
    const calls = subscribeWs(client, CallUpdatedDocument, { campaignId: id }, leftovers);
    await subscribersReady(t.app, dbId, 2);
    const hubA = t.app.realtime;
    // With Redis, wait until B's publishes reach A (SUBSCRIBE is asynchronous).
    if (viaRedis) await busReady(t.app, dbId, appB);

    await execB(StartCampaignDocument, { input: { id } });
    await transitionCall(appB, callIds[0]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    await transitionCall(appB, callIds[1]!, { status: 'IN_PROGRESS', attemptCount: 1 });
    await execB(UpdateCampaignDocument, { input: { id, name: 'Renamed on B' } });
    await transitionCall(appB, callIds[0]!, { status: 'COMPLETED', outcome: 'ANSWERED', connected: true, durationSeconds: 12 });

    const got = await events.received.take(5);
    expect(got.map((e) => [e.campaignEvents.sequence, e.campaignEvents.kind])).toEqual([
      [1, 'CAMPAIGN_START'],
      [2, 'CALL_UPDATED'],
      [3, 'CALL_UPDATED'],
      [4, 'CAMPAIGN_UPDATED'],
      [5, 'CALL_UPDATED'],
    ]);
    const callStatuses = (await calls.received.take(3)).map((c) => c.callUpdated.status);
    expect(callStatuses.at(-1)).toBe('COMPLETED');
    expect(callStatuses).toHaveLength(3);

    const stats = hubA.channelStats(dbId)!;
    if (viaRedis) {
      // Every event came over Redis (publishes from one connection arrive in order).
      expect(stats.fromBus).toBe(5);
    } else {
      // Nothing could come over a bus: the poll found every event in the database.
      expect(stats).toMatchObject({ fromBus: 0, fromLog: 5 });
    }
    // B never had a subscriber: its writes do not open channels there.
    expect(appB.realtime.stats().channels).toBe(0);
    events.dispose();
    calls.dispose();
    await eventually(() => hubA.stats().channels === 0, undefined, 'subscriptions to end');
  });
});

describe('API key revocation across processes', () => {
  it('a key revoked through B stops working on A, which had it in its key cache', async () => {
    const key = await createKey(t.app.db.prisma, { id: org.orgId }, { name: 'revoked elsewhere' });
    const askA = async () =>
      (
        await t.yoga.fetch('http://a.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: '{ organization { id } }' }),
        })
      ).status;
    expect(await askA()).toBe(200);
    const { id } = await t.app.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } });
    await execB(RevokeApiKeyDocument, { input: { id: globalId('ApiKey', id) } });
    // With Redis the bus tells A at once; without, A's sweep finds it within half a second.
    await eventually(async () => (await askA()) === 401, undefined, 'A to refuse the revoked key');
  });
});
