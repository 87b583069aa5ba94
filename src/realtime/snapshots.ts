import type { Database } from '../db/client.ts';
import type { CampaignCallTally } from '../db/generated/prisma/client.ts';

/**
 * Rows loaded for an event, shared by every subscriber of that event in this process: N
 * dashboards watching one campaign cost one campaign read, one tally read and one call read per
 * event, not N of each.
 *
 * Entries are keyed by the campaign's state version `${campaignId}:${sequence}`: every change to
 * a campaign or its calls appends an event, so rows read once sequence S is the latest describe
 * every event up to S. A subscriber replaying old events after a reconnect therefore shares one
 * campaign read for the whole replay instead of one per replayed event.
 *
 * Within a version, rows are keyed by the Prisma query Pothos planned from the client's selection
 * (dashboards send the same document, so they share; a different selection gets its own read and
 * its selection is honoured, nested relations included).
 */
export class EventSnapshots {
  // 5000 versions: about a minute of one campaign at 90 events/s, or seconds across many busy
  // ones — far longer than subscribers of an event take to resolve it (milliseconds). An evicted
  // entry is only read again, never wrong; each holds a few rows, so this stays a few MB.
  static readonly MAX_VERSIONS = 5000;

  private readonly versions = new Map<string, Map<string, Promise<unknown>>>();

  constructor(private readonly db: Database) {}

  /** The campaign row for `query` (the prismaField's), scoped to the subscriber's organisation. */
  campaign<T>(version: string, campaignId: string, orgId: string, query: object): Promise<T | null> {
    return this.memo(version, `campaign:${orgId}:${JSON.stringify(query)}`, () =>
      this.db.prisma.campaign.findFirst({ ...query, where: { id: campaignId, organizationId: orgId } }),
    ) as Promise<T | null>;
  }

  /** A call row of the campaign for `query` (the prismaField's). */
  call<T>(version: string, campaignId: string, callId: string, query: object): Promise<T | null> {
    return this.memo(version, `call:${callId}:${JSON.stringify(query)}`, () =>
      this.db.prisma.call.findFirst({ ...query, where: { id: callId, campaignId } }),
    ) as Promise<T | null>;
  }

  /** The campaign's tally rows, from which Campaign.stats is computed. */
  tallies(version: string, campaignId: string): Promise<CampaignCallTally[]> {
    return this.memo(version, 'tallies', () => this.db.prisma.campaignCallTally.findMany({ where: { campaignId } }));
  }

  private memo<T>(version: string, part: string, load: () => Promise<T>): Promise<T> {
    let entry = this.versions.get(version);
    if (!entry) {
      entry = new Map();
      this.versions.set(version, entry);
      // Map iteration is insertion order: the first key is the oldest version.
      if (this.versions.size > EventSnapshots.MAX_VERSIONS) this.versions.delete(this.versions.keys().next().value!);
    }
    let promise = entry.get(part) as Promise<T> | undefined;
    if (!promise) {
      promise = load();
      entry.set(part, promise);
      // A failed read is not shared with later subscribers: they retry.
      const owner = entry;
      promise.catch(() => {
        if (owner.get(part) === promise) owner.delete(part);
      });
    }
    return promise;
  }
}
