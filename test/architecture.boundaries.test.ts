import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md, checked on every file under src/ (type-only imports
 * included: a type import is still a dependency a reader has to follow).
 */
const SRC = path.resolve(import.meta.dirname, '../src');

type Part = 'entry' | 'files' | 'schema' | 'services' | 'dialer' | 'realtime' | 'db' | 'domain' | 'auth';

function partOf(file: string): Part {
  const [top] = path.relative(SRC, file).split(path.sep);
  if (top === 'files' || top === 'schema' || top === 'services' || top === 'dialer' || top === 'realtime' || top === 'db' || top === 'domain' || top === 'auth')
    return top;
  return 'entry'; // main.ts, server.ts, app.ts, config.ts, logger.ts
}

/** Which parts each part may import (itself always). Why: see docs/architecture.md. */
const ALLOWED: Record<Part, readonly Part[]> = {
  entry: ['entry', 'files', 'schema', 'services', 'dialer', 'realtime', 'db', 'domain', 'auth'],
  files: ['entry', 'schema', 'services', 'realtime', 'db', 'domain', 'auth'],
  schema: ['entry', 'services', 'realtime', 'db', 'domain', 'auth'],
  services: ['entry', 'realtime', 'db', 'domain'],
  dialer: ['entry', 'services', 'realtime', 'db', 'domain'],
  realtime: ['db', 'domain', 'entry'],
  auth: ['db', 'domain', 'entry'],
  db: [],
  domain: [],
};
/** Entry files the layers below may import (types of the composition root, config, logger). */
const SHARED_ENTRY = new Set(['app.ts', 'config.ts', 'logger.ts', 'metrics.ts', 'tracing.ts']);
/** Packages the domain may use: pure computation only, no I/O. */
const PURE_PACKAGES = new Set(['zod', 'libphonenumber-js', 'libphonenumber-js/max']);
/** The one file of the dialer that services may name: the provider interface. */
const PROVIDER_INTERFACE = path.join(SRC, 'dialer/provider.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

type Import = { from: string; specifier: string; target: string | null };

function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map(({ fileName }) => ({
    from: file,
    specifier: fileName,
    target: fileName.startsWith('.') ? path.resolve(path.dirname(file), fileName) : null,
  }));
}

/** Every broken rule, as "from -> to: why". */
function violations(imports: Import[]): string[] {
  const out: string[] = [];
  for (const imp of imports) {
    const from = partOf(imp.from);
    const name = `${path.relative(SRC, imp.from)} -> ${imp.target ? path.relative(SRC, imp.target) : imp.specifier}`;
    if (!imp.target) {
      if (from === 'domain' && !PURE_PACKAGES.has(imp.specifier)) out.push(`${name}: the domain does no I/O and uses pure packages only`);
      continue;
    }
    const to = partOf(imp.target);
    if (to === from) continue;
    if (from === 'services' && imp.target === PROVIDER_INTERFACE) continue;
    if (from === 'entry' && to === 'dialer' && path.basename(imp.from) !== 'main.ts') {
      out.push(`${name}: the API never imports the dialer; only main.ts starts workers`);
    } else if (!ALLOWED[from].includes(to)) {
      out.push(`${name}: ${from} must not import ${to}`);
    } else if (to === 'entry' && from !== 'entry' && !SHARED_ENTRY.has(path.basename(imp.target))) {
      out.push(`${name}: only app.ts, config.ts, logger.ts, metrics.ts and tracing.ts are shared with the parts`);
    } else if (from === 'services' && to === 'dialer' && imp.target !== PROVIDER_INTERFACE) {
      out.push(`${name}: services may use the provider interface only, never the dialer's internals`);
    }
  }
  return out;
}

/** Import cycles (a file that, through its imports, imports itself), each once. */
function cycles(imports: Import[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const imp of imports) if (imp.target) graph.set(imp.from, [...(graph.get(imp.from) ?? []), imp.target]);
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)).map((f) => path.relative(SRC, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const all = sourceFiles(SRC).flatMap(importsOf);
const fake = (from: string, to: string): Import => ({ from: path.join(SRC, from), specifier: to, target: path.join(SRC, to) });

describe('architecture', () => {
  it('every import follows the rules of docs/architecture.md', () => {
    expect(violations(all)).toEqual([]);
  });

  it('no file imports a file that imports it back (no import cycles at all)', () => {
    expect(cycles(all)).toEqual([]);
  });

  it('the checks catch what they are for', () => {
    expect(violations([fake('schema/call/x.ts', 'dialer/worker.ts')])).toHaveLength(1);
    expect(violations([fake('dialer/worker.ts', 'schema/context.ts')])).toHaveLength(1);
    expect(violations([fake('realtime/hub.ts', 'schema/context.ts')])).toHaveLength(1);
    expect(violations([fake('services/x.ts', 'dialer/sql/claim-due-calls.ts')])).toHaveLength(1);
    expect(violations([fake('services/x.ts', 'dialer/provider.ts')])).toEqual([]);
    expect(violations([fake('server.ts', 'dialer/worker.ts')])).toHaveLength(1);
    expect(violations([fake('domain/x.ts', 'db/client.ts')])).toHaveLength(1);
    expect(violations([fake('schema/call/x.ts', 'files/routes.ts')])).toHaveLength(1);
    expect(violations([fake('files/routes.ts', 'dialer/worker.ts')])).toHaveLength(1);
    expect(violations([{ from: path.join(SRC, 'domain/x.ts'), specifier: 'node:fs', target: null }])).toHaveLength(1);
    expect(cycles([fake('a.ts', 'b.ts'), fake('b.ts', 'a.ts')])).toEqual([['a.ts', 'b.ts']]);
  });

  it('only the dialer writes call leases and attempt results', () => {
    const writers = sourceFiles(SRC).filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /lease_owner\s*=|lease_expires_at\s*=|UPDATE call_attempt/.test(text);
    });
    expect(writers.map((f) => path.relative(SRC, f)).filter((f) => !f.startsWith(`dialer${path.sep}`))).toEqual([]);
  });
});
