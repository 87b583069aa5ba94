/**
 * embedded: callboard's read scenarios on its embedded PGlite (a data folder seeded like the
 * PostgreSQL database) against the same callboard on PostgreSQL — what the default `npm start`
 * costs compared with the scaled set-up. ratio > 1 would mean PGlite is faster.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureBootstrapKey } from '../src/auth/keys.ts';
import { openMigratedDatabase } from '../src/db/client.ts';
import { cleanups, type Figure } from './harness.ts';
import { callboardReads, compareLoad, type ReadData, type ReadTarget } from './reads.ts';
import { seedCalls } from './seed.ts';
import { startCallboard } from './servers.ts';

export async function embeddedReads(
  postgres: { target: ReadTarget; data: Pick<ReadData, 'campaignIds' | 'callIds'> },
  calls: number,
  campaigns: number,
  options: { runs: number; seconds: number; connections: number },
): Promise<Figure[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'callboard-bench-pglite-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const key = `bench_${crypto.randomUUID().replaceAll('-', '')}`;
  const db = await openMigratedDatabase({ dataDir: dir });
  let data: Pick<ReadData, 'campaignIds' | 'callIds'>;
  try {
    await ensureBootstrapKey(db.prisma, key);
    const { organizationId } = await db.prisma.apiKey.findFirstOrThrow({ select: { organizationId: true } });
    const query = async (sql: string, params: unknown[] = []) => ({ rows: (await db.prisma.$queryRawUnsafe(sql, ...params)) as any[] });
    data = await seedCalls(query, organizationId, calls, campaigns);
  } finally {
    await db.close();
  }
  const server = await startCallboard('callboard (PGlite)', { CALLBOARD_DATA_DIR: dir, CALLBOARD_BOOTSTRAP_KEY: key, DATABASE_URL: '' });
  const pglite: ReadTarget = { url: server.url, headers: { authorization: `Bearer ${key}` } };
  const ours = callboardReads(data);
  const theirs = callboardReads(postgres.data);
  const figures: Figure[] = [];
  for (const [i, s] of ours.entries()) {
    const f = await compareLoad(
      { id: `embedded-${s.id}`, name: `${s.name} (PGlite vs PostgreSQL)`, cb: s.bodies, peer: theirs[i]!.bodies },
      pglite,
      postgres.target,
      options,
    );
    figures.push(f);
  }
  return figures;
}
