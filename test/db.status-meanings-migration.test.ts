import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '../src/db/migrate.ts';
import { pgliteConnection } from '../src/db/sql.ts';

// The migration that gives FAILED and CANCELED their documented meanings, run on rows written
// under the old ones: the rows move, the counters follow, and every balance gets its opening row.
const dir = mkdtempSync(path.join(tmpdir(), 'callboard-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const target = all.find((name) => name.endsWith('_safe_dialing'))!;

describe('the safe-dialing migration', () => {
  it('moves spent no-answers to COMPLETED and stop-canceled calls to NOT_DIALED, keeping the tally exact', async () => {
    for (const name of all.slice(0, all.indexOf(target))) cpSync(path.join(migrationsDir, name), path.join(dir, name), { recursive: true });
    const pg = new PGlite();
    const sql = pgliteConnection(pg);
    await migrate(sql, dir);

    const [org] = await sql.query<{ id: string }>(`INSERT INTO organization (id, name, balance_seconds) VALUES (gen_random_uuid(), 'old', 1234) RETURNING id`);
    const [campaign] = await sql.query<{ id: string }>(
      `INSERT INTO campaign (id, organization_id, name, status, pause_reason) VALUES (gen_random_uuid(), $1, 'old', 'CANCELED', NULL) RETURNING id`,
      [org!.id],
    );
    const rows: [string, string | null, string | null, number][] = [
      ['FAILED', 'NO_ANSWER', null, 3],
      ['FAILED', 'BUSY', null, 2],
      ['FAILED', 'NO_MESSAGE', null, 2],
      ['FAILED', 'TECHNICAL_ERROR', null, 1],
      ['CANCELED', 'BUSY', 'retry after busy (1 of 3 attempts used)', 1],
      ['CANCELED', 'NOT_DIALED', null, 0],
      ['COMPLETED', 'ANSWERED', null, 1],
    ];
    for (const [i, [status, outcome, waitReason, attempts]] of rows.entries()) {
      await sql.query(
        `INSERT INTO "call" (id, campaign_id, phone_number, status, outcome, wait_reason, attempt_count, position)
         VALUES (gen_random_uuid(), $1, $2, $3::"CallStatus", $4::"CallOutcome", $5, $6, $7)`,
        [campaign!.id, `+1415555${1000 + i}`, status, outcome, waitReason, attempts, i],
      );
    }

    cpSync(path.join(migrationsDir, target), path.join(dir, target), { recursive: true });
    expect(await migrate(sql, dir)).toEqual([target]);

    const calls = await sql.query<{ status: string; outcome: string; wait_reason: string | null }>(
      `SELECT status::text, outcome::text, wait_reason FROM "call" WHERE campaign_id = $1 ORDER BY position`,
      [campaign!.id],
    );
    expect(calls.map((c) => [c.status, c.outcome, c.wait_reason])).toEqual([
      ['COMPLETED', 'NO_ANSWER', null],
      ['COMPLETED', 'BUSY', null],
      ['COMPLETED', 'NO_MESSAGE', null],
      ['FAILED', 'TECHNICAL_ERROR', null],
      ['CANCELED', 'NOT_DIALED', null],
      ['CANCELED', 'NOT_DIALED', null],
      ['COMPLETED', 'ANSWERED', null],
    ]);
    const counted = await sql.query(
      `SELECT status::text, coalesce(outcome::text, '') AS outcome, count(*)::int AS calls, sum(attempt_count)::int AS attempts
         FROM "call" WHERE campaign_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [campaign!.id],
    );
    const tally = await sql.query(
      `SELECT status::text, outcome, calls::int, attempts::int FROM campaign_call_tally WHERE campaign_id = $1 AND calls > 0 ORDER BY 1, 2`,
      [campaign!.id],
    );
    expect(tally).toEqual(counted);
    const [opening] = await sql.query<{ kind: string; delta_seconds: number; balance_after_seconds: number }>(
      `SELECT kind::text, delta_seconds, balance_after_seconds FROM balance_transaction WHERE organization_id = $1`,
      [org!.id],
    );
    expect(opening).toEqual({ kind: 'OPENING', delta_seconds: 1234, balance_after_seconds: 1234 });
    await pg.close();
  });
});
