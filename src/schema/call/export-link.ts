/**
 * The links of the HTTP exports and their query parameters, in both directions: what
 * `Campaign.exportUrl` writes is exactly what `/exports/…` reads (src/exports/routes.ts).
 * Parameters are the CallFilter's fields; lists are comma-separated (or repeated).
 */
import { z } from 'zod';
import type { CallFilterInput } from '../../db/call-filter.ts';
import { CallStatus } from '../../db/generated/prisma/enums.ts';
import { ValidationError } from '../../domain/errors.ts';
import { CALL_OUTCOMES } from '../../domain/retry-policy.ts';

export const EXPORT_FILES = { CSV: 'calls.csv', JSON: 'calls.json', PDF: 'report.pdf' } as const;
export type ExportFormat = keyof typeof EXPORT_FILES;

/** Path (and query) of a campaign's export; absolute when the server knows its public URL. */
export function campaignExportUrl(base: string | undefined, campaignGlobalId: string, format: ExportFormat, filter?: CallFilterInput | null): string {
  const query = new URLSearchParams();
  if (filter?.statuses?.length) query.set('statuses', filter.statuses.join(','));
  if (filter?.outcomes?.length) query.set('outcomes', filter.outcomes.join(','));
  if (filter?.search?.trim()) query.set('search', filter.search.trim());
  if (filter?.processedAfter) query.set('processedAfter', filter.processedAfter.toISOString());
  if (filter?.processedBefore) query.set('processedBefore', filter.processedBefore.toISOString());
  const qs = query.toString();
  return `${base ?? ''}/exports/campaigns/${encodeURIComponent(campaignGlobalId)}/${EXPORT_FILES[format]}${qs ? `?${qs}` : ''}`;
}

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .array(z.string())
    .transform((all) =>
      all
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).max(50));
const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

const ExportQuery = z.object({
  statuses: list(Object.values(CallStatus) as [string, ...string[]]).optional(),
  outcomes: list(CALL_OUTCOMES as unknown as [string, ...string[]]).optional(),
  search: z.string().max(200).optional(),
  processedAfter: instant.optional(),
  processedBefore: instant.optional(),
  campaignIds: z
    .array(z.string())
    .transform((all) =>
      all
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(200)).max(1000))
    .optional(),
  bom: z
    .enum(['0', '1', 'true', 'false'])
    .transform((v) => v === '1' || v === 'true')
    .optional(),
});
const LIST_PARAMS = new Set(['statuses', 'outcomes', 'campaignIds']);

export type ExportQuery = { filter: CallFilterInput; campaignIds: string[] | null; bom: boolean };

/** Reads an export's query string; ValidationError (naming the parameter) on anything unknown or malformed. */
export function parseExportQuery(params: URLSearchParams): ExportQuery {
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    if (!(key in ExportQuery.shape)) throw ValidationError.of([key], `unknown parameter (known: ${Object.keys(ExportQuery.shape).join(', ')})`);
    const values = params.getAll(key);
    if (!LIST_PARAMS.has(key) && values.length > 1) throw ValidationError.of([key], 'given more than once');
    raw[key] = LIST_PARAMS.has(key) ? values : values[0]!;
  }
  const parsed = ExportQuery.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw ValidationError.of([String(issue.path[0] ?? 'query')], issue.message);
  }
  const q = parsed.data;
  return {
    filter: { statuses: q.statuses, outcomes: q.outcomes, search: q.search, processedAfter: q.processedAfter, processedBefore: q.processedBefore },
    campaignIds: q.campaignIds ?? null,
    bom: q.bom ?? false,
  };
}
