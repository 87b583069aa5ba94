import DataLoader from 'dataloader';
import type { Database } from '../db/client.ts';
import type { CampaignCallTally } from '../db/generated/prisma/client.ts';

export interface Loaders {
  /** Tally rows per campaign id: one query for every campaign on the page. */
  tallies: DataLoader<string, CampaignCallTally[]>;
}

/** Per-request loaders, so a page of N campaigns with stats costs one tally query, not N. */
export function createLoaders(db: Database): Loaders {
  return {
    tallies: new DataLoader(async (ids) => {
      const rows = await db.prisma.campaignCallTally.findMany({ where: { campaignId: { in: [...ids] } } });
      const byCampaign = new Map<string, CampaignCallTally[]>(ids.map((id) => [id, []]));
      for (const row of rows) byCampaign.get(row.campaignId)!.push(row);
      return ids.map((id) => byCampaign.get(id)!);
    }),
  };
}
