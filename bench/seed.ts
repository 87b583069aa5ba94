/**
 * The benchmark's database: a throwaway PostgreSQL database migrated with callboard's own
 * migrations, the org and key made as `serve` makes them, then calls seeded set-based (the
 * statement-level triggers fill campaign_call_tally as the rows go in). Dropped in cleanup.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureBootstrapKey, hashKey } from '../src/auth/keys.ts';
import { openMigratedDatabase } from '../src/db/client.ts';
import { cleanups } from './harness.ts';

export const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new empty database on the server, migrated, with an admin key; dropped in cleanup. */
export async function freshDatabase(): Promise<{ url: string; key: string; orgId: string }> {
  const name = `callboard_bench_${randomBytes(4).toString('hex')}`;
  await withClient(SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  cleanups.push(() => withClient(SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();
  const key = `bench_${randomBytes(24).toString('hex')}`;
  const db = await openMigratedDatabase({ url });
  try {
    await ensureBootstrapKey(db.prisma, key);
  } finally {
    await db.close();
  }
  const orgId = await withClient(
    url,
    async (c) => (await c.query('SELECT organization_id FROM api_key WHERE hash = $1', [hashKey(key)])).rows[0].organization_id,
  );
  return { url, key, orgId };
}

/**
 * `campaigns` RUNNING campaigns, newest first, holding `calls` calls between them. Status mix: 3/8
 * pending, then one each of in progress, retry scheduled, completed ×2, failed.
 */
export async function seedCalls(query: (sql: string, params?: unknown[]) => Promise<{ rows: any[] }>, orgId: string, calls: number, campaigns: number) {
  await query(
    `INSERT INTO campaign (id, organization_id, name, status, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'Campaign ' || g, 'RUNNING', now() - g * interval '1 minute', now()
     FROM generate_series(1, ${campaigns}) g`,
    [orgId],
  );
  const campaignIds: string[] = (await query('SELECT id FROM campaign ORDER BY created_at DESC')).rows.map((r) => r.id);
  const per = Math.ceil(calls / campaigns);
  for (const [ci, campaignId] of campaignIds.entries()) {
    await query(
      `INSERT INTO call (id, campaign_id, name, phone_number, status, outcome, attempt_count, connected, duration_seconds, position)
       SELECT gen_random_uuid(), $1, 'Contact ' || g, '+1555' || lpad((${ci * per} + g)::text, 7, '0'),
              (ARRAY['PENDING','PENDING','PENDING','IN_PROGRESS','RETRY_SCHEDULED','COMPLETED','COMPLETED','FAILED'])[1 + g % 8]::"CallStatus",
              (ARRAY[NULL,NULL,NULL,NULL,'NO_ANSWER','ANSWERED','LEFT_MESSAGE','NO_ANSWER'])[1 + g % 8]::"CallOutcome",
              (ARRAY[0,0,0,1,1,1,2,3])[1 + g % 8], (g % 8) IN (5, 6), (ARRAY[0,0,0,0,0,60,20,0])[1 + g % 8], g
       FROM generate_series(1, ${per}) g`,
      [campaignId],
    );
  }
  await query('ANALYZE');
  const callIds: string[] = (await query('SELECT id FROM call ORDER BY random() LIMIT 1000')).rows.map((r) => r.id);
  return { campaignIds, callIds, perCampaign: per };
}
