/**
 * subscription-fanout-200: 200 graphql-ws subscribers of one campaign's call changes, and a stream
 * of changes; deliveries per second at the clients and the p99 latency from the change's commit
 * (the row's updatedAt) to a client.
 *  - callboard: `callUpdated`, the stream made by its own dialer (the server runs the worker, the
 *    simulator paced so calls follow each other: 5 at a time).
 *  - PostGraphile: the LISTEN/NOTIFY subscription of ../shared/peer/postgraphile/subs.mjs, keyed by
 *    the campaign's uuid; the stream is the same number of row updates, each with its NOTIFY in the
 *    same statement, at the rate callboard's stream had.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { dialableCampaign } from './campaigns.ts';
import { type Figure, gql } from './harness.ts';
import { freshDatabase, withClient } from './seed.ts';
import { startCallboard, startPeer } from './servers.ts';

const SUBSCRIBERS = 200;

// subs.mjs, with the campaign id a uuid string as callboard's are.
const PEER_PLUGIN = `import { extendSchema, gql } from "postgraphile/utils";
import { context, lambda, listen } from "postgraphile/grafast";
import { jsonParse } from "postgraphile/@dataplan/json";
export const CallSubsPlugin = extendSchema((build) => {
  const { call } = build.input.pgRegistry.pgResources;
  return {
    typeDefs: gql\`
      type CallChangedPayload { call: Call, event: String }
      extend type Subscription { callChanged(campaignId: String!): CallChangedPayload }
    \`,
    objects: {
      Subscription: { plans: { callChanged: {
        subscribePlan(_$root, fieldArgs) {
          const $pgSubscriber = context().get("pgSubscriber");
          const $topic = lambda(fieldArgs.getRaw("campaignId"), (id) => \`call:\${id}\`);
          return listen($pgSubscriber, $topic, jsonParse);
        },
        plan($event) { return $event; },
      } } },
      CallChangedPayload: { plans: {
        call($event) { return call.get({ id: $event.get("id") }); },
        event($event) { return $event.get("op"); },
      } },
    },
  };
});
`;

interface Tally {
  deliveries: number;
  first: number;
  last: number;
  latencies: number[];
}

/** Opens `n` graphql-ws clients subscribed to `query`; each message's updatedAt gives its latency. */
async function subscribers(url: string, params: Record<string, unknown>, query: string, variables: Record<string, unknown>, updatedAt: (data: any) => string) {
  const tally: Tally = { deliveries: 0, first: 0, last: 0, latencies: [] };
  const clients: Client[] = [];
  let acknowledged = 0;
  let failures = 0;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: params,
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => void acknowledged++ },
    });
    clients.push(client);
    client.subscribe(
      { query, variables },
      {
        next: (result) => {
          const now = Date.now();
          if (!result.data) return;
          tally.deliveries++;
          tally.first ||= now;
          tally.last = now;
          tally.latencies.push(now - Date.parse(updatedAt(result.data)));
        },
        error: (e) => {
          failures++;
          if (failures === 1) console.error(`subscriber error at ${url}:`, (e as { message?: string }).message ?? (e as { reason?: string }).reason ?? e);
        },
        complete: () => {},
      },
    );
  }
  for (let i = 0; acknowledged < SUBSCRIBERS; i++) {
    if (i > 600 || failures) throw new Error(`${url}: only ${acknowledged} of ${SUBSCRIBERS} subscribers connected (${failures} failed)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Subscriptions are sent right after the ack; give the servers a moment to register them all.
  await new Promise((r) => setTimeout(r, 1000));
  return { tally, close: () => Promise.all(clients.map((c) => c.dispose())) };
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? Number.NaN;
const rate = (t: Tally) => (t.deliveries / Math.max(1, t.last - t.first)) * 1000;

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

export async function fanout(contacts: number): Promise<Figure> {
  const { url: dbUrl, key } = await freshDatabase();
  const cb = await startCallboard('callboard (fan-out)', { DATABASE_URL: dbUrl, CALLBOARD_BOOTSTRAP_KEY: key, CALLBOARD_SIMULATOR_SPEED: '300' }, []);
  const headers = { authorization: `Bearer ${key}` };
  // Paced so calls follow each other: 5 at a time, the simulator 300× real time.
  // DC numbers: the simulator's outcomes (and so the stream's pace) follow the number, as in BENCHMARKS.md's run.
  const campaignId = await dialableCampaign(cb.url, headers, {
    name: 'Fan-out',
    maxConcurrentCalls: 5,
    contacts,
    phone: (i) => `+1202555${String(1000 + i).padStart(4, '0')}`,
  });

  const ours = await subscribers(
    cb.url,
    headers,
    'subscription($id:ID!){callUpdated(campaignId:$id){id status updatedAt}}',
    { id: campaignId },
    (d) => d.callUpdated.updatedAt,
  );
  await gql(cb.url, headers, 'mutation($id:ID!){startCampaign(input:{id:$id}){__typename}}', { id: campaignId });
  const status = async () => (await gql(cb.url, headers, 'query($id:ID!){campaign(id:$id){status}}', { id: campaignId })).campaign.status;
  await until(async () => (await status()) === 'COMPLETED', 120_000);
  await until(() => Date.now() - ours.tally.last > 1000, 30_000);
  await ours.close();
  const events = ours.tally.deliveries / SUBSCRIBERS;
  const streamSeconds = Math.max(0.001, (ours.tally.last - ours.tally.first) / 1000);

  // The peer: the same number of changes at the same pace, on the same rows.
  const peer = await startPeer(dbUrl, { file: 'subs.mjs', source: PEER_PLUGIN, exportName: 'CallSubsPlugin' });
  const dbCampaignId = Buffer.from(campaignId, 'base64').toString('utf8').split(':')[1]!;
  const theirs = await subscribers(
    peer.url,
    {},
    'subscription($id:String!){callChanged(campaignId:$id){event call{rowId status updatedAt}}}',
    { id: dbCampaignId },
    (d) => d.callChanged.call.updatedAt,
  );
  await withClient(dbUrl, async (c) => {
    const ids: string[] = (await c.query('SELECT id FROM call WHERE campaign_id = $1', [dbCampaignId])).rows.map((r) => r.id);
    const pause = (streamSeconds * 1000) / Math.max(1, events);
    const started = Date.now();
    for (let i = 0; i < events; i++) {
      await c.query(
        `WITH u AS (UPDATE call SET updated_at = clock_timestamp() WHERE id = $1 RETURNING id, campaign_id)
         SELECT pg_notify('call:' || campaign_id::text, json_build_object('id', id, 'op', 'update')::text) FROM u`,
        [ids[i % ids.length]],
      );
      const behind = started + (i + 1) * pause - Date.now();
      if (behind > 0) await new Promise((r) => setTimeout(r, behind));
    }
  });
  await until(() => theirs.tally.deliveries >= events * SUBSCRIBERS || Date.now() - theirs.tally.last > 5000, 120_000);
  await theirs.close();
  return {
    id: 'subscription-fanout-200',
    name: `${SUBSCRIBERS} subscribers x ${events.toFixed(0)} call changes in ${streamSeconds.toFixed(1)} s`,
    ours: rate(ours.tally),
    peer: rate(theirs.tally),
    unit: 'deliveries/s',
    detail: `p99 commit→client ms ${p99(ours.tally.latencies)} vs ${p99(theirs.tally.latencies)}; delivered ${ours.tally.deliveries} vs ${theirs.tally.deliveries} of ${events * SUBSCRIBERS}`,
  };
}
