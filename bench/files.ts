/**
 * import-1m and export-1m: a contact CSV POSTed to /imports (streamed) and the campaign's calls
 * downloaded from /exports as CSV, against a fresh `callboard serve` process whose resident memory
 * is sampled from /proc while each runs; the peer is PostgreSQL's own `COPY` through psql (the
 * floor: no validation, no normalisation), its client's memory sampled the same way.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { benchPhone } from './campaigns.ts';
import { cleanups, type Figure, gql } from './harness.ts';
import { freshDatabase, withClient } from './seed.ts';
import { startCallboard } from './servers.ts';

/** Resident memory of a process right now, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
  } catch {
    return 0; // the process has ended
  }
}

/** Runs `work` while sampling `pid()`'s RSS; its seconds and the peak MB. */
async function measured<T>(pid: () => number | undefined, work: () => Promise<T>): Promise<{ seconds: number; peakMb: number; value: T }> {
  let peak = 0;
  const sample = () => {
    const p = pid();
    if (p) peak = Math.max(peak, rssMb(p));
  };
  const timer = setInterval(sample, 50);
  const started = performance.now();
  try {
    const value = await work();
    sample();
    return { seconds: (performance.now() - started) / 1000, peakMb: peak, value };
  } finally {
    clearInterval(timer);
  }
}

async function* csvRows(rows: number): AsyncGenerator<string> {
  yield 'name,phone,plan,city\n';
  for (let i = 0; i < rows; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 10_000); j++) chunk += `Contact ${j},${benchPhone(j)},gold,"Springfield, IL"\n`;
    yield chunk;
  }
}

function post(url: string, key: string, body: AsyncIterable<string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await once(req, 'drain');
      req.end();
    })().catch(reject);
  });
}

/** psql running `command`, stdin from `input` (a file) or stdout counted in lines; its pid while it runs. */
function psql(dbUrl: string, command: string, input?: string) {
  let pid: number | undefined;
  const done = new Promise<number>((resolve, reject) => {
    const child = spawn('psql', [dbUrl, '-v', 'ON_ERROR_STOP=1', '-qc', command], { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
    pid = child.pid;
    if (input) createReadStream(input).pipe(child.stdin!);
    let lines = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`psql exited ${code}`))));
  });
  return { pid: () => pid, done };
}

export async function filesInAndOut(rows: number): Promise<Figure[]> {
  const { url: dbUrl, key, orgId } = await freshDatabase();
  const env = { DATABASE_URL: dbUrl, CALLBOARD_BOOTSTRAP_KEY: key };
  const server = await startCallboard('callboard (files)', env);
  const base = new URL(server.url).origin;
  const headers = { authorization: `Bearer ${key}` };
  const created = await gql(server.url, headers, 'mutation{createCampaign(input:{name:"Import"}){...on CreateCampaignPayload{campaign{id}}}}');
  const id: string = created.createCampaign.campaign.id;
  const idleMb = rssMb(server.pid);

  const imported = await measured(
    () => server.pid,
    () => post(`${base}/imports/campaigns/${encodeURIComponent(id)}/contacts.csv?defaultCountry=US`, key, csvRows(rows)),
  );
  const report = JSON.parse(imported.value.text);
  if (imported.value.status !== 200 || report.added !== rows) throw new Error(`import: ${imported.value.status} ${imported.value.text.slice(0, 300)}`);
  // A fresh server for the export: V8 keeps the import's heap, which would hide the export's own.
  await server.stop();
  const exporter = await startCallboard('callboard (export)', env);
  const exportIdleMb = rssMb(exporter.pid);
  const exported = await measured(
    () => exporter.pid,
    async () => {
      const res = await fetch(`${new URL(exporter.url).origin}/exports/campaigns/${encodeURIComponent(id)}/calls.csv`, { headers });
      let lines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) lines++;
      return lines - 1;
    },
  );
  if (exported.value !== rows) throw new Error(`export: ${exported.value} rows`);

  // The peer: the same rows through COPY, into a campaign of its own.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'callboard-bench-copy-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const peerCampaign: string = await withClient(dbUrl, async (c) => {
    const { rows: r } = await c.query(
      `INSERT INTO campaign (id, organization_id, name, status, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'COPY', 'DRAFT', now(), now()) RETURNING id`,
      [orgId],
    );
    return r[0].id;
  });
  const file = path.join(dir, 'calls.csv');
  const out = createWriteStream(file);
  for (let j = 0; j < rows; j++)
    if (!out.write(`${crypto.randomUUID()},${peerCampaign},Contact ${j},${benchPhone(j)},PENDING,${j + 1}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  const copyIn = psql(dbUrl, 'COPY call (id, campaign_id, name, phone_number, status, position) FROM STDIN WITH (FORMAT csv)', file);
  const peerImport = await measured(copyIn.pid, () => copyIn.done);
  const copyOut = psql(
    dbUrl,
    `COPY (SELECT name, phone_number, status, outcome FROM call WHERE campaign_id = '${peerCampaign}' ORDER BY position) TO STDOUT WITH (FORMAT csv, HEADER)`,
  );
  const peerExport = await measured(copyOut.pid, () => copyOut.done);
  if (peerExport.value - 1 !== rows) throw new Error(`COPY out: ${peerExport.value - 1} rows`);

  const label = rows >= 1_000_000 && rows % 1_000_000 === 0 ? `${rows / 1_000_000}m` : `${rows / 1000}k`;
  return [
    {
      id: `import-${label}`,
      name: `import ${rows} contacts (peer: COPY FROM)`,
      ours: imported.seconds,
      peer: peerImport.seconds,
      unit: 's',
      lowerIsBetter: true,
    },
    {
      id: `import-${label}-peak-rss`,
      name: `import: peak RSS of the server (idle ${idleMb.toFixed(0)} MB; peer: the psql client)`,
      ours: imported.peakMb,
      peer: peerImport.peakMb,
      unit: 'MB',
      lowerIsBetter: true,
    },
    {
      id: `export-${label}`,
      name: `export ${rows} calls as CSV (peer: COPY TO)`,
      ours: exported.seconds,
      peer: peerExport.seconds,
      unit: 's',
      lowerIsBetter: true,
    },
    {
      id: `export-${label}-peak-rss`,
      name: `export: peak RSS of a fresh server (idle ${exportIdleMb.toFixed(0)} MB; peer: the psql client)`,
      ours: exported.peakMb,
      peer: peerExport.peakMb,
      unit: 'MB',
      lowerIsBetter: true,
    },
  ];
}
