/**
 * dialer-throughput: calls finished per second by 1 and 2 `callboard worker` processes with the
 * simulator at zero latency (speed 1e9, one attempt per call), against the raw-SQL loop of
 * ../shared/peer/claim50.sql + upd1.sql (claim 50 with FOR UPDATE SKIP LOCKED, then one UPDATE
 * per call) run by as many connections — the least a dialer can do on this table.
 */
import pg from 'pg';
import { dialableCampaign } from './campaigns.ts';
import { type Figure, gql, startChild } from './harness.ts';
import { freshDatabase, withClient } from './seed.ts';
import { ROOT, startCallboard } from './servers.ts';

async function startWorker(dbUrl: string, n: number) {
  await startChild(
    `worker ${n}`,
    process.execPath,
    [`${ROOT}/bin/callboard.js`, 'worker'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATABASE_URL: dbUrl,
        CALLBOARD_SIMULATOR_SPEED: '1000000000',
      },
    },
    (out) => (out.includes('callboard worker is running') ? 'ok' : undefined),
  );
}

/** The raw-SQL loop on `connections` connections until the campaign has no PENDING call; calls/s. */
async function sqlLoop(dbUrl: string, campaignId: string, connections: number, calls: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      try {
        for (;;) {
          const { rows } = await c.query(
            `WITH c AS (SELECT id FROM call WHERE campaign_id = $1 AND status = 'PENDING' ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED)
             UPDATE call SET status = 'IN_PROGRESS', attempt_count = attempt_count + 1, updated_at = now() FROM c WHERE call.id = c.id RETURNING call.id`,
            [campaignId],
          );
          if (!rows.length) break;
          for (const { id } of rows) await c.query(`UPDATE call SET status = 'COMPLETED', outcome = 'ANSWERED', updated_at = now() WHERE id = $1`, [id]);
        }
      } finally {
        await c.end();
      }
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

export async function dialerThroughput(calls: number): Promise<Figure[]> {
  const { url: dbUrl, key, orgId } = await freshDatabase();
  const api = await startCallboard('callboard (dialer)', { DATABASE_URL: dbUrl, CALLBOARD_BOOTSTRAP_KEY: key });
  const headers = { authorization: `Bearer ${key}` };
  // Every simulated call is billed: enough minutes that no campaign pauses OUT_OF_MINUTES mid-run.
  await gql(api.url, headers, 'mutation($m:Int!){addMinutes(input:{minutes:$m}){__typename}}', { m: calls * 20 });
  async function ours(workers: number, campaignId: string): Promise<number> {
    const started = performance.now();
    await gql(api.url, headers, 'mutation($id:ID!){startCampaign(input:{id:$id}){__typename}}', { id: campaignId });
    for (;;) {
      const { campaign } = await gql(api.url, headers, 'query($id:ID!){campaign(id:$id){status pauseReason stats{completed failed}}}', { id: campaignId });
      if (campaign.status === 'PAUSED') throw new Error(`dialer: the campaign paused (${campaign.pauseReason})`);
      if (campaign.status === 'COMPLETED') {
        if (campaign.stats.completed + campaign.stats.failed !== calls) throw new Error(`dialer: ${JSON.stringify(campaign.stats)}`);
        return calls / ((performance.now() - started) / 1000);
      }
      if (performance.now() - started > 600_000) throw new Error(`dialer with ${workers} workers did not finish`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function peerCampaign(): Promise<string> {
    return withClient(dbUrl, async (c) => {
      const { rows } = await c.query(
        `INSERT INTO campaign (id, organization_id, name, status, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'raw SQL', 'RUNNING', now(), now()) RETURNING id`,
        [orgId],
      );
      await c.query(
        `INSERT INTO call (id, campaign_id, name, phone_number, status, position) SELECT gen_random_uuid(), $1, 'Contact ' || g, '+1555' || lpad(g::text, 7, '0'), 'PENDING', g FROM generate_series(1, $2::int) g`,
        [rows[0].id, calls],
      );
      await c.query('ANALYZE call');
      return rows[0].id as string;
    });
  }

  const figures: Figure[] = [];
  let offset = 0;
  for (const workers of [1, 2]) {
    const campaignId = await dialableCampaign(api.url, headers, {
      name: `Dialer ${workers}`,
      maxConcurrentCalls: 100,
      contacts: calls,
      firstNumber: (offset += calls),
    });
    await startWorker(dbUrl, workers);
    const oursRate = await ours(workers, campaignId);
    const peerRate = await sqlLoop(dbUrl, await peerCampaign(), workers, calls);
    figures.push({
      id: `dialer-throughput-${workers}`,
      name: `${calls} calls, ${workers} worker${workers > 1 ? 's' : ''} (peer: raw SQL claim + update on ${workers} connection${workers > 1 ? 's' : ''})`,
      ours: oursRate,
      peer: peerRate,
      unit: 'calls/s',
    });
  }
  return figures;
}
