import type { Context } from '../context.ts';
import type { StreamEvent } from '../../realtime/event-log.ts';

/**
 * Rows for an event through the hub's shared snapshots: the first subscriber of the event (with
 * this selection) reads, every other one in the process reuses the same promise.
 */
export function campaignOfEvent<T>(ctx: Context, event: StreamEvent, query: object): Promise<T | null> {
  const hub = ctx.app.realtime;
  return hub.snapshots.campaign<T>(hub.versionOf(event), event.campaignId, ctx.orgId, query);
}

export function callOfEvent<T>(ctx: Context, event: StreamEvent, query: object): Promise<T | null> {
  if (!event.callId) {
    // Campaign-level event: no call to read. Serialising `query` marks it used, which
    // onUnusedQuery: 'error' requires of every prismaField resolver.
    JSON.stringify(query);
    return Promise.resolve(null);
  }
  const hub = ctx.app.realtime;
  return hub.snapshots.call<T>(hub.versionOf(event), event.campaignId, event.callId, query);
}
