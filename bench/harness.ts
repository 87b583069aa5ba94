/**
 * What the benchmarks share: free ports, child servers killed at the end (also on Ctrl-C and on
 * error), GraphQL calls that must succeed, and bounded autocannon runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import autocannon from 'autocannon';

/** Steps run in reverse order by `cleanup()` (servers killed, databases dropped). */
export const cleanups: Array<() => Promise<unknown>> = [];
export async function cleanup() {
  for (const step of cleanups.reverse()) await step().catch((e) => console.error('cleanup:', e));
  cleanups.length = 0;
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

/**
 * A port for a server that must be told its port (PostGraphile), outside Linux's ephemeral range
 * (32768–60999): a port the OS handed out and took back could be handed to another process (a
 * `PORT=0` server, an outgoing connection) before the peer binds it — once, its clients then
 * reached another server and got 405s.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Spawns a server and resolves with its URL and pid once `ready(output)` returns the URL; killed in cleanup. */
export function startChild(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
  ready: (out: string) => string | undefined,
) {
  const proc: ChildProcess = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  proc.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    proc.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!exited) proc.kill('SIGKILL');
  };
  cleanups.push(stop);
  return new Promise<{ url: string; pid: number; stop: () => Promise<void> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 90 s:\n${out}`)), 90_000);
    let done = false;
    const check = (chunk: Buffer) => {
      // Once up, keep only a tail for error messages: re-parsing a growing log would load this process.
      out = (out + chunk.toString()).slice(done ? -4096 : 0);
      if (done) return;
      const url = ready(out);
      if (url) {
        done = true;
        clearTimeout(timer);
        resolve({ url, pid: proc.pid!, stop });
      }
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`));
    });
  });
}

export async function gql(url: string, headers: Record<string, string>, query: string, variables?: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (res.status !== 200 || body.errors) throw new Error(`${url}: ${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 800)}`);
  return body.data;
}

export interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** One bounded autocannon run; bodies rotate through `bodies` so point queries do not hit one row. */
export async function load(url: string, headers: Record<string, string>, bodies: string[], duration: number, connections: number): Promise<Result> {
  let i = 0;
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req: any) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts };
}

/** The median of `values` (the middle one, or the mean of the two middle ones). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The peer (PostGraphile) lives outside the repo, in a cache folder, installed from npm on first
 * use and never committed. Returns its folder.
 */
export function ensurePeer(dir: string, packages: string[]): string {
  if (existsSync(path.join(dir, 'node_modules/postgraphile/dist/cli-run.js'))) return dir;
  mkdirSync(dir, { recursive: true });
  console.log(`installing the peer into ${dir} (${packages.join(' ')})…`);
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, ...packages], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`could not install the peer into ${dir}`);
  return dir;
}

/** Replaces what lies between the two markers of `file` (appending both when absent). */
export function replaceBetween(file: string, start: string, end: string, content: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const block = `${start}\n${content.trim()}\n${end}`;
  writeFileSync(file, from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`);
}

/** One scenario's figures; `lowerIsBetter` for seconds and memory, so ratio > 1 always means callboard is better. */
export interface Figure {
  id: string;
  name: string;
  ours: number;
  peer: number;
  unit: string;
  lowerIsBetter?: boolean;
  /** What else was measured (latencies, errors), for the table. */
  detail?: string;
}

export const ratioOf = (f: Figure) => (f.lowerIsBetter ? f.peer / f.ours : f.ours / f.peer);

const fixed = (n: number) => (Number.isInteger(n) || Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

/** `RESULT <scenario> ours=<value> peer=<value> ratio=<…> unit=<unit>`: ratio > 1 means callboard is better. */
export function resultLine(f: Figure): string {
  return `RESULT ${f.id} ours=${fixed(f.ours)} peer=${fixed(f.peer)} ratio=${ratioOf(f).toFixed(2)} unit=${f.unit}`;
}
