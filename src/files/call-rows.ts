/**
 * The calls of an export, read in keyset batches ((created_at, id) per campaign, served by the
 * call_campaign_id_created_at_id_idx index) and handed on one batch at a time: the export holds
 * one batch in memory however many rows there are, and the next batch is read only when the
 * client has taken the previous one (the response stream pulls). Batches rather than one
 * server-side cursor: a cursor would pin a pooled connection — on PGlite the only one — for as
 * long as the slowest client takes to download.
 */
import type { Database } from '../db/client.ts';
import { filterConditions, Params, type CallFilterInput } from '../db/call-filter.ts';

export type ExportCampaign = { id: string; name: string };

export type ExportRow = {
  id: string;
  campaign_id: string;
  name: string;
  phone_number: string;
  status: string;
  outcome: string | null;
  attempt_count: number;
  processed_at: Date | null;
  duration_seconds: number;
  connected: boolean;
  summary: string | null;
  recording_url: string | null;
  variables: unknown;
  created_key: string;
};

export const EXPORT_BATCH = 2000;

/** Batches of the calls of `campaigns` (in their order) that match `filter`; stops when `signal` aborts. */
export async function* callBatches(
  db: Database,
  campaigns: readonly ExportCampaign[],
  filter: CallFilterInput,
  signal: AbortSignal,
  batch = EXPORT_BATCH,
): AsyncGenerator<ExportRow[]> {
  for (const campaign of campaigns) {
    let after: { created: string; id: string } | null = null;
    for (;;) {
      if (signal.aborted) return;
      const p = new Params();
      const where = [`c.campaign_id = ${p.add(campaign.id)}::uuid`, ...filterConditions(filter, p)];
      if (after) where.push(`(c.created_at, c.id) > (${p.add(after.created)}::timestamptz, ${p.add(after.id)}::uuid)`);
      const rows = await db.prisma.$queryRawUnsafe<ExportRow[]>(
        `SELECT c.id::text AS id, c.campaign_id::text AS campaign_id, c.name, c.phone_number, c.status::text AS status,
                c.outcome::text AS outcome, c.attempt_count, c.processed_at, c.duration_seconds, c.connected, c.variables,
                c.created_at::text AS created_key, last.summary, last.recording_url
           FROM "call" c
           LEFT JOIN LATERAL (SELECT a.summary, a.recording_url FROM call_attempt a WHERE a.call_id = c.id ORDER BY a.number DESC LIMIT 1) last ON true
          WHERE ${where.join(' AND ')}
          ORDER BY c.created_at, c.id
          LIMIT ${p.add(batch)}`,
        ...p.values,
      );
      if (rows.length > 0) yield rows;
      if (rows.length < batch) break;
      const last = rows[rows.length - 1]!;
      after = { created: last.created_key, id: last.id };
    }
  }
}

/** The variable names of the calls an export holds, sorted: one column each (at most 200). */
export async function variableNames(db: Database, campaigns: readonly ExportCampaign[], filter: CallFilterInput): Promise<string[]> {
  if (campaigns.length === 0) return [];
  const p = new Params();
  const where = [`c.campaign_id = ANY(${p.add(campaigns.map((c) => c.id))}::uuid[])`, ...filterConditions(filter, p)];
  const rows = await db.prisma.$queryRawUnsafe<{ k: string }[]>(
    `SELECT DISTINCT k FROM "call" c
       CROSS JOIN LATERAL jsonb_object_keys(CASE WHEN jsonb_typeof(c.variables) = 'object' THEN c.variables ELSE '{}'::jsonb END) AS k
      WHERE ${where.join(' AND ')}
      ORDER BY k LIMIT 200`,
    ...p.values,
  );
  return rows.map((r) => r.k);
}
