/**
 * callboard vs PostGraphile 5.1.5 on the same PostgreSQL database, same machine, same run:
 *
 *   npm run bench               # 200k calls, median of 3 runs of 10 s per scenario and server
 *   npm run bench -- --quick    # 20k calls, one run of 3 s: a couple of minutes
 *
 * The peer is installed on first use into ~/.cache/callboard-bench (PEER_DIR to choose), never
 * into the repo; its Node 20 polyfill comes from ../shared beside the repo. DATABASE_URL is the
 * PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres): a throwaway database is
 * created there, migrated with callboard's own migrations, seeded, and dropped at the end (also on
 * error). Each scenario prints `RESULT <scenario> ours=… peer=… ratio=… unit=req/s` (ratio > 1:
 * callboard is better), and the run rewrites its section of BENCHMARKS.md.
 * Env: BENCH_CALLS, BENCH_SECONDS, BENCH_RUNS, BENCH_CONNECTIONS (10).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, cleanups, ensurePeer, freePort, gql, load, median, type Result, replaceBetween, startChild } from './harness.ts';
import pg from 'pg';
import { openMigratedDatabase } from '../src/db/client.ts';
import { ensureBootstrapKey, hashKey } from '../src/auth/keys.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// `npm run bench -- --quick`: a smaller database, shorter and fewer runs (a couple of minutes).
const QUICK = process.argv.includes('--quick');
const CALLS = Number(process.env.BENCH_CALLS ?? (QUICK ? 20_000 : 200_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 10));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CAMPAIGNS = 10;
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PEER_PACKAGES = ['postgraphile@5.1.5', '@graphile/simplify-inflection@9'];
const PEER_DIR = ensurePeer(process.env.PEER_DIR ?? path.join(os.homedir(), '.cache/callboard-bench/postgraphile-5.1.5'), PEER_PACKAGES);
// The peer's Node 20 polyfill ships beside the repo (../shared), wherever the checkout lives.
const POLYFILL = path.join(ROOT, '../shared/peer/postgraphile/polyfill.mjs');
if (!existsSync(POLYFILL)) {
  console.error(`the peer's polyfill is missing: ${POLYFILL} (../shared beside the repo)`);
  process.exit(2);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function main() {
  const started = Date.now();
  const name = `callboard_bench_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  cleanups.push(() => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const dbUrl = new URL(SERVER_URL!);
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();

  // Schema through callboard's own migrations; the org and key the way `serve` would make them.
  const key = `bench_${randomBytes(24).toString('hex')}`;
  const db = await openMigratedDatabase({ url });
  try {
    await ensureBootstrapKey(db.prisma, key);
  } finally {
    await db.close();
  }

  // Seed set-based: the statement-level triggers fill campaign_call_tally as the rows go in.
  const seedStart = Date.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let callIds: string[];
  let campaignIds: string[];
  try {
    const {
      rows: [{ organization_id: orgId }],
    } = await client.query('SELECT organization_id FROM api_key WHERE hash = $1', [hashKey(key)]);
    await client.query(
      `INSERT INTO campaign (id, organization_id, name, status, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'Campaign ' || g, 'RUNNING', now() - g * interval '1 minute', now()
       FROM generate_series(1, ${CAMPAIGNS}) g`,
      [orgId],
    );
    campaignIds = (await client.query('SELECT id FROM campaign ORDER BY created_at DESC')).rows.map((r) => r.id);
    const per = Math.ceil(CALLS / CAMPAIGNS);
    for (const [ci, campaignId] of campaignIds.entries()) {
      // status mix: 3/8 pending, then one each of in progress, retry scheduled, completed ×2, failed.
      await client.query(
        `INSERT INTO call (id, campaign_id, name, phone_number, status, outcome, attempt_count, connected, duration_seconds, position)
         SELECT gen_random_uuid(), $1, 'Contact ' || g, '+1555' || lpad((${ci * per} + g)::text, 7, '0'),
                (ARRAY['PENDING','PENDING','PENDING','IN_PROGRESS','RETRY_SCHEDULED','COMPLETED','COMPLETED','FAILED'])[1 + g % 8]::"CallStatus",
                (ARRAY[NULL,NULL,NULL,NULL,'NO_ANSWER','ANSWERED','LEFT_MESSAGE','NO_ANSWER'])[1 + g % 8]::"CallOutcome",
                (ARRAY[0,0,0,1,1,1,2,3])[1 + g % 8], (g % 8) IN (5, 6), (ARRAY[0,0,0,0,0,60,20,0])[1 + g % 8], g
         FROM generate_series(1, ${per}) g`,
        [campaignId],
      );
    }
    await client.query('ANALYZE');
    callIds = (await client.query('SELECT id FROM call ORDER BY random() LIMIT 1000')).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
  const seedSeconds = (Date.now() - seedStart) / 1000;

  // Both servers on loopback, same database, pool of 10 connections each.
  const cbUrl = await startChild(
    'callboard',
    process.execPath,
    [path.join(ROOT, 'bin/callboard.js'), 'serve', '--no-worker'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: url,
        CALLBOARD_BOOTSTRAP_KEY: key,
        CALLBOARD_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'callboard-bench-')),
      },
    },
    (out) => {
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const l = JSON.parse(line);
          if (l.msg === 'callboard is listening') return l.url as string;
        } catch {}
      }
      return undefined;
    },
  );
  const peerPort = await freePort();
  const configPath = path.join(PEER_DIR!, `bench-${name}.graphile.config.mjs`);
  await writeFile(
    configPath,
    `import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
export default {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [makePgService({ connectionString: ${JSON.stringify(url)}, schemas: ["public"], poolConfig: { max: 10 } })],
  grafserv: { host: "127.0.0.1", port: ${peerPort}, graphiql: false },
  grafast: { explain: false },
};
`,
  );
  cleanups.push(() => rm(configPath, { force: true }));
  const peerUrl = await startChild(
    'postgraphile',
    process.execPath,
    ['node_modules/postgraphile/dist/cli-run.js', '-C', configPath],
    { cwd: PEER_DIR!, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NODE_OPTIONS: `--import ${POLYFILL}` } },
    (out) => (/Server listening|listening on|http:\/\/127\.0\.0\.1:\d+/i.test(out) ? `http://127.0.0.1:${peerPort}/graphql` : undefined),
  );
  const cbHeaders = { authorization: `Bearer ${key}` };
  const callGid = (id: string) => Buffer.from(`Call:${id}`).toString('base64');
  const campaignGid = (id: string) => Buffer.from(`Campaign:${id}`).toString('base64');

  const CB_CALL = 'query($id:ID!){node(id:$id){...on Call{id name phoneNumber status outcome}}}';
  const PEER_CALL = 'query($id:UUID!){call(rowId:$id){id name phoneNumber status outcome}}';
  const CB_NESTED = '{campaigns(first:10){edges{node{name calls(first:20){edges{node{name status}}}}}}}';
  const PEER_NESTED = '{campaigns(first:10){edges{node{name calls(first:20){edges{node{name status}}}}}}}';
  const CB_STATS = 'query($id:ID!){campaign(id:$id){stats{total pending inProgress retryScheduled completed failed skipped canceled}}}';
  const STATUSES = ['PENDING', 'IN_PROGRESS', 'RETRY_SCHEDULED', 'COMPLETED', 'FAILED', 'SKIPPED', 'CANCELED'];
  const PEER_STATS = `query($id:UUID!){campaign(rowId:$id){total:calls{totalCount} ${STATUSES.map((s) => `${s}:calls(condition:{status:${s}}){totalCount}`).join(' ')}}}`;
  const PEER_TALLY = 'query($id:UUID!){campaign(rowId:$id){campaignCallTallies{nodes{status outcome calls}}}}';

  // Same answers before timing anything: a benchmark of different results measures nothing.
  const cbCall = await gql(cbUrl, cbHeaders, CB_CALL, { id: callGid(callIds[0]!) });
  const peerCall = await gql(peerUrl, {}, PEER_CALL, { id: callIds[0] });
  if (cbCall.node?.phoneNumber !== peerCall.call?.phoneNumber) throw new Error(`call mismatch ${JSON.stringify([cbCall, peerCall])}`);
  const count = (d: any) => d.campaigns.edges.reduce((n: number, e: any) => n + e.node.calls.edges.length, 0);
  const [cbN, peerN] = [count(await gql(cbUrl, cbHeaders, CB_NESTED)), count(await gql(peerUrl, {}, PEER_NESTED))];
  if (cbN !== 200 || peerN !== 200) throw new Error(`nested: callboard ${cbN} calls, peer ${peerN}`);
  const cid = campaignIds[2]!;
  const cbStats = (await gql(cbUrl, cbHeaders, CB_STATS, { id: campaignGid(cid) })).campaign.stats;
  const peerStats = (await gql(peerUrl, {}, PEER_STATS, { id: cid })).campaign;
  const camel = (s: string) => s.toLowerCase().replace(/_(.)/g, (_, c) => c.toUpperCase());
  for (const s of STATUSES)
    if (cbStats[camel(s)] !== peerStats[s].totalCount) throw new Error(`stats ${s}: ${cbStats[camel(s)]} vs ${peerStats[s].totalCount}`);
  if (cbStats.total !== peerStats.total.totalCount) throw new Error('stats total mismatch');
  let tally = true;
  try {
    await gql(peerUrl, {}, PEER_TALLY, { id: cid });
  } catch (e) {
    tally = false;
    console.error('peer tally query unavailable:', (e as Error).message);
  }

  const body = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
  const scenarios: Array<{ id: string; name: string; cb: string[]; peer: string[] }> = [
    {
      id: 'call-by-id',
      name: 'call by id (1000 ids rotating)',
      cb: callIds.map((id) => body(CB_CALL, { id: callGid(id) })),
      peer: callIds.map((id) => body(PEER_CALL, { id })),
    },
    { id: 'campaign-list-nested', name: '10 campaigns x 20 calls nested', cb: [body(CB_NESTED)], peer: [body(PEER_NESTED)] },
    {
      id: 'campaign-stats',
      name: 'per-status counts (peer: 8 x totalCount)',
      cb: campaignIds.map((id) => body(CB_STATS, { id: campaignGid(id) })),
      peer: campaignIds.map((id) => body(PEER_STATS, { id })),
    },
  ];
  if (tally)
    scenarios.push({
      id: 'campaign-stats-same-table',
      name: 'per-status counts (peer: same tally table)',
      cb: campaignIds.map((id) => body(CB_STATS, { id: campaignGid(id) })),
      peer: campaignIds.map((id) => body(PEER_TALLY, { id })),
    });

  const title =
    `callboard vs PostGraphile 5.1.5 — ${CALLS} calls in ${CAMPAIGNS} campaigns (seeded in ${seedSeconds.toFixed(1)} s), ` +
    `${SECONDS} s per run, median of ${RUNS}, ${CONNECTIONS} connections, ${os.cpus().length} vCPU (${os.cpus()[0]?.model.trim()}), Node ${process.version}`;
  console.log(`\n${title}`);
  const rows: string[][] = [];
  const results: string[] = [];
  for (const s of scenarios) {
    const cbRuns: Result[] = [];
    const peerRuns: Result[] = [];
    // Alternately, so that a slow moment of the shared machine hits both.
    for (let run = 0; run < RUNS; run++) {
      await load(cbUrl, cbHeaders, s.cb.slice(0, 50), 2, CONNECTIONS).catch(() => undefined); // warm-up, not counted
      cbRuns.push(await load(cbUrl, cbHeaders, s.cb, SECONDS, CONNECTIONS));
      await load(peerUrl, {}, s.peer.slice(0, 50), 2, CONNECTIONS).catch(() => undefined);
      peerRuns.push(await load(peerUrl, {}, s.peer, SECONDS, CONNECTIONS));
    }
    const pick = (runs: Result[]) => ({
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
    });
    const [cb, peer] = [pick(cbRuns), pick(peerRuns)];
    const line = `RESULT ${s.id} ours=${cb.rps.toFixed(0)} peer=${peer.rps.toFixed(0)} ratio=${(cb.rps / peer.rps).toFixed(2)} unit=req/s`;
    console.log(line);
    results.push(line);
    rows.push([
      s.name,
      cb.rps.toFixed(0),
      `${cb.p50}/${cb.p99}`,
      String(cb.errors),
      peer.rps.toFixed(0),
      `${peer.p50}/${peer.p99}`,
      String(peer.errors),
      (cb.rps / peer.rps).toFixed(2),
      (cb.p50 / Math.max(peer.p50, 0.5)).toFixed(2),
    ]);
  }
  const head = ['scenario', 'cb req/s', 'cb p50/p99 ms', 'cb err', 'peer req/s', 'peer p50/p99 ms', 'peer err', 'req/s ratio cb/peer', 'p50 ratio cb/peer'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const table = [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(fmt)].join('\n');
  console.log(table);
  console.log(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const command = `npm run bench${QUICK ? ' -- --quick' : ''}`;
  replaceBetween(
    path.join(ROOT, 'BENCHMARKS.md'),
    '<!-- npm run bench: latest run -->',
    '<!-- npm run bench: end -->',
    `## Latest \`${command}\` (${new Date().toISOString().slice(0, 10)})\n\n${title}\n\n${table}\n\n\`\`\`\n${results.join('\n')}\n\`\`\``,
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
