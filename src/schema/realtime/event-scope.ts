import { initContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import type { CampaignStreamHub } from '../../realtime/hub.ts';
import type { StreamEvent } from '../../realtime/event-log.ts';
import { createLoaders } from '../loaders.ts';

/**
 * A subscription keeps one context for its whole life, but per-request caches (ctx.loaders,
 * Pothos' dataloaders and Prisma relation loaders) must not serve the first event's rows to the
 * hundredth. Before each event this gives the context fresh caches, and a tally loader that reads
 * through the hub's shared per-event rows, so `stats` anywhere in the selection costs one query
 * per event per process, not one per subscriber.
 */
export function eachEventFresh(ctx: Context, hub: CampaignStreamHub, source: AsyncIterableIterator<StreamEvent>): AsyncIterableIterator<StreamEvent> {
  return {
    async next() {
      const result = await source.next();
      if (!result.done) freshScope(ctx, hub, result.value);
      return result;
    },
    return: () => source.return!(),
    throw: (error?: unknown) => source.throw!(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** New per-request caches on a subscription's long-lived context (Pothos, loaders). */
export function freshRequestScope(ctx: Context): void {
  // Pothos keys every context cache by this object when present: a new one is a new "request".
  Object.assign(ctx, initContextCache());
  ctx.loaders = createLoaders(ctx.db);
}

function freshScope(ctx: Context, hub: CampaignStreamHub, event: StreamEvent) {
  freshRequestScope(ctx);
  const { loaders } = ctx;
  const version = hub.versionOf(event);
  ctx.loaders = {
    ...loaders,
    tallies: new DataLoader((ids: readonly string[]) =>
      Promise.all(ids.map((id) => (id === event.campaignId ? hub.snapshots.tallies(version, id) : loaders.tallies.load(id)))),
    ),
  };
}
