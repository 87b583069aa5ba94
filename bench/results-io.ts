/**
 * Results in and out at scale: a 1M-row contact CSV POSTed to /imports (streamed), then the
 * campaign's calls downloaded from /exports as CSV — against a real `callboard serve` process,
 * whose peak resident memory is sampled from /proc while each runs. On PostgreSQL (DATABASE_URL,
 * a throwaway database is created and dropped) and on the embedded PGlite (a temporary folder).
 *
 *   npx tsx bench/results-io.ts                 # both; BENCH_ROWS=1000000 by default
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/results-io.ts
 *   BENCH_PGLITE=0 …                            # PostgreSQL only
 *
 * Prints one line per figure: RESULT <scenario> ours=<value> unit=<unit> (no peer: PostGraphile
 * has no CSV import or streamed export to compare with).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const KEY = `bench_${randomBytes(12).toString('hex')}`;

/** Resident memory of a process right now, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
}

/** Runs `work` while sampling the server's RSS; returns its seconds and the peak MB. */
async function measured<T>(pid: number, work: () => Promise<T>): Promise<{ seconds: number; peakMb: number; value: T }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
  const started = performance.now();
  try {
    const value = await work();
    return { seconds: (performance.now() - started) / 1000, peakMb: Math.max(peak, rssMb(pid)), value };
  } finally {
    clearInterval(timer);
  }
}

async function* csvRows(rows: number): AsyncGenerator<string> {
  yield 'name,phone,plan,city\n';
  for (let i = 0; i < rows; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 10_000); j++) {
      // Unique valid US numbers: area codes 201–989 × 7 digits.
      const area = 201 + Math.floor(j / 9_000_000);
      chunk += `Contact ${j},+1${area}${String(2_000_000 + (j % 8_000_000)).padStart(7, '0')},gold,"Springfield, IL"\n`;
    }
    yield chunk;
  }
}

function post(url: string, body: AsyncIterable<string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(reject);
  });
}

async function graphql(base: string, query: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data: Record<string, any> };
}

async function run(label: string, env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--no-worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), CALLBOARD_BOOTSTRAP_KEY: KEY, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/health`).catch(() => null))?.ok) break;
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const agent = await graphql(base, 'mutation { createAgent(input: { name: "Ava", script: "Hi {{name}}" }) { ... on CreateAgentPayload { agent { id } } } }');
    const created = await graphql(
      base,
      `mutation { createCampaign(input: { name: "Bench", agentId: "${agent.data.createAgent.agent.id}" }) { ... on CreateCampaignPayload { campaign { id } } } }`,
    );
    const id: string = created.data.createCampaign.campaign.id;
    // What the server holds before any file moves: the growth below is the import's and export's own.
    console.log(`RESULT server-idle-${label}-rss ours=${rssMb(child.pid!).toFixed(0)} unit=MB`);

    const imported = await measured(child.pid!, () => post(`${base}/imports/campaigns/${encodeURIComponent(id)}/contacts.csv`, csvRows(ROWS)));
    const report = JSON.parse(imported.value.text);
    if (imported.value.status !== 200 || report.added !== ROWS) throw new Error(`import: ${imported.value.status} ${imported.value.text.slice(0, 300)}`);
    console.log(`RESULT import-csv-${ROWS}-${label} ours=${imported.seconds.toFixed(1)} unit=s`);
    console.log(`RESULT import-csv-${ROWS}-${label}-peak-rss ours=${imported.peakMb.toFixed(0)} unit=MB`);

    const exported = await measured(child.pid!, async () => {
      const res = await fetch(`${base}/exports/campaigns/${encodeURIComponent(id)}/calls.csv`, { headers: { authorization: `Bearer ${KEY}` } });
      let lines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) lines++;
      return lines - 1;
    });
    if (exported.value !== ROWS) throw new Error(`export: ${exported.value} rows`);
    console.log(`RESULT export-csv-${ROWS}-${label} ours=${exported.seconds.toFixed(1)} unit=s`);
    console.log(`RESULT export-csv-${ROWS}-${label}-peak-rss ours=${exported.peakMb.toFixed(0)} unit=MB`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  const name = `callboard_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await run('postgres', { DATABASE_URL: url.toString() });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
if (process.env.BENCH_PGLITE !== '0') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'callboard-bench-'));
  try {
    await run('pglite', { CALLBOARD_DATA_DIR: dir, DATABASE_URL: '' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
