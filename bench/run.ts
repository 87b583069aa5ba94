/**
 * callboard vs PostGraphile 5.1.5 (and vs PostgreSQL's own COPY and a raw-SQL dialer loop), same
 * machine, same run, same PostgreSQL server:
 *
 *   npm run bench               # 1M calls, median of 3 alternating runs of 10 s per read scenario
 *   npm run bench -- --quick    # 20k calls, one run of 2 s, smaller streams and files: under 3 minutes
 *
 * The peer is installed on first use into ~/.cache/callboard-bench (PEER_DIR to choose), never
 * into the repo; its Node 20 polyfill comes from ../shared beside the repo. DATABASE_URL is the
 * PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres): throwaway databases are
 * created there, migrated with callboard's own migrations, and dropped at the end (also on error).
 * Each scenario prints `RESULT <scenario> ours=… peer=… ratio=… unit=…` — ratio > 1 means callboard
 * is better (for seconds and megabytes it is peer/ours) — and a complete run rewrites its section
 * of BENCHMARKS.md. Env: BENCH_CALLS, BENCH_SECONDS, BENCH_RUNS, BENCH_CONNECTIONS (10),
 * BENCH_ONLY (some of reads,embedded,fanout,dialer,files; such a run leaves BENCHMARKS.md alone).
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dialerThroughput } from './dialer.ts';
import { embeddedReads } from './embedded.ts';
import { fanout } from './fanout.ts';
import { filesInAndOut } from './files.ts';
import { cleanup, cleanups, type Figure, ratioOf, replaceBetween, resultLine } from './harness.ts';
import { compareLoad, readScenarios, type ReadTarget } from './reads.ts';
import { freshDatabase, seedCalls } from './seed.ts';
import { ROOT, startCallboard, startPeer } from './servers.ts';

const QUICK = process.argv.includes('--quick');
const CALLS = Number(process.env.BENCH_CALLS ?? (QUICK ? 20_000 : 1_000_000));
const LOAD = {
  seconds: Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 10)),
  runs: Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3)),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
};
const CAMPAIGNS = 10;
const GROUPS = ['reads', 'embedded', 'fanout', 'dialer', 'files'] as const;
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : [...GROUPS];
const SIZES = QUICK
  ? { embeddedCalls: 20_000, fanoutContacts: 60, dialerCalls: 1000, fileRows: 100_000 }
  : { embeddedCalls: 200_000, fanoutContacts: 400, dialerCalls: 10_000, fileRows: 1_000_000 };

async function main() {
  const started = Date.now();
  const figures: Figure[] = [];
  const report = (f: Figure) => {
    figures.push(f);
    console.log(resultLine(f));
  };

  const { url, key, orgId } = await freshDatabase();
  const seedStart = Date.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  const data = {
    ...(await seedCalls((sql, params) => client.query(sql, params as unknown[]), orgId, CALLS, CAMPAIGNS)),
    query: (sql: string, params?: unknown[]) => client.query(sql, params),
  };
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const title =
    `${CALLS} calls in ${CAMPAIGNS} campaigns (seeded in ${seedSeconds.toFixed(1)} s), ${LOAD.seconds} s per run, median of ${LOAD.runs}, ` +
    `${LOAD.connections} connections, ${os.cpus().length} vCPU (${os.cpus()[0]?.model.trim()}), Node ${process.version}`;
  console.log(title);

  const cbServer = await startCallboard('callboard', { DATABASE_URL: url, CALLBOARD_BOOTSTRAP_KEY: key });
  const cb: ReadTarget = { url: cbServer.url, headers: { authorization: `Bearer ${key}` } };
  if (ONLY.includes('reads')) {
    const peerServer = await startPeer(url);
    const peer: ReadTarget = { url: peerServer.url, headers: {} };
    for (const s of await readScenarios(cb, peer, data)) report(await compareLoad(s, cb, peer, LOAD));
  }
  if (ONLY.includes('embedded')) for (const f of await embeddedReads({ target: cb, data }, SIZES.embeddedCalls, CAMPAIGNS, LOAD)) report(f);
  if (ONLY.includes('fanout')) report(await fanout(SIZES.fanoutContacts));
  if (ONLY.includes('dialer')) for (const f of await dialerThroughput(SIZES.dialerCalls)) report(f);
  if (ONLY.includes('files')) for (const f of await filesInAndOut(SIZES.fileRows)) report(f);

  const head = ['scenario', 'id', 'callboard', 'peer', 'unit', 'ratio (>1: callboard better)', 'also measured'];
  const rows = figures.map((f) => [
    f.name,
    f.id,
    f.ours.toFixed(f.ours < 100 ? 2 : 0),
    f.peer.toFixed(f.peer < 100 ? 2 : 0),
    f.unit,
    ratioOf(f).toFixed(2),
    f.detail ?? '',
  ]);
  const table = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  console.log(`\n${table}\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (ONLY.length !== GROUPS.length) return;
  const command = `npm run bench${QUICK ? ' -- --quick' : ''}`;
  replaceBetween(
    path.join(ROOT, 'BENCHMARKS.md'),
    '<!-- npm run bench: latest run -->',
    '<!-- npm run bench: end -->',
    `## Latest \`${command}\` (${new Date().toISOString().slice(0, 10)}, ${((Date.now() - started) / 60_000).toFixed(1)} min)\n\n${title}\n\n${table}\n\n\`\`\`\n${figures.map(resultLine).join('\n')}\n\`\`\``,
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
