import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { Channel, type ChannelHost } from './channel.ts';
import { latestSequences, type StreamEvent } from './event-log.ts';
import { OrgCampaignWatch } from './org-campaigns.ts';
import type { CallboardPubSub } from './pubsub.ts';
import { EventSnapshots } from './snapshots.ts';

/**
 * Ordered, gapless, shared event streams per campaign.
 *
 * The bus is only a doorbell: publishing happens after commit, so two transactions' messages may
 * arrive out of order, and a message can be lost (crash between commit and publish, a Redis
 * hiccup). The campaign_event table is the truth. One Channel per campaign per process:
 *   1. subscribes to the bus first, then reads the campaign's latest sequence (nothing published
 *      in between is missed: it waits in `pending`);
 *   2. delivers strictly in sequence order; a message beyond head+1 (a gap) makes it read the
 *      missing range from campaign_event;
 *   3. when no event arrived for POLL_INTERVAL_MS it asks the database for the latest sequence
 *      (one query per process for all idle campaigns) to catch a lost last publish.
 * Subscribers of a campaign share its channel, so the database work per event does not grow
 * with the number of subscribers; fan-out is an in-memory push.
 */
export interface HubOptions {
  /**
   * 1 s: a lost publish reaches dashboards within about a second, for one indexed query per
   * second per API process (all idle campaigns in one statement), whatever the subscriber count.
   */
  pollIntervalMs?: number;
  /** 250 ms: campaignUpdated sends stats at most ~4 times per second per campaign. */
  coalesceMs?: number;
  /**
   * 1000 events: a subscriber further behind than this (a slow client) drops its in-memory
   * queue and catches up from campaign_event instead, so memory stays bounded.
   */
  maxQueue?: number;
}

const DEFAULTS: Required<HubOptions> = { pollIntervalMs: 1000, coalesceMs: 250, maxQueue: 1000 };

/** The realtime side of one process: channels per campaign, the idle poll, shared row reads. */
export class CampaignStreamHub implements ChannelHost {
  readonly options: Required<HubOptions>;
  readonly snapshots: EventSnapshots;
  /** campaignsUpdated: changed campaigns per organisation (org-campaigns.ts). */
  readonly orgCampaigns: OrgCampaignWatch;
  private readonly channels = new Map<string, Channel>();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    readonly db: Database,
    readonly pubsub: CallboardPubSub,
    readonly logger: Logger,
    options: HubOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.snapshots = new EventSnapshots(db);
    this.orgCampaigns = new OrgCampaignWatch(db, logger, this.options.coalesceMs);
  }

  /**
   * Every event of the campaign with sequence > after (all new ones when after is null), in
   * order, each exactly once; `filter` drops events without ending the stream.
   */
  events(campaignId: string, after: number | null, filter?: (event: StreamEvent) => boolean): AsyncIterableIterator<StreamEvent> {
    return this.channel(campaignId).attachEvents(after, filter);
  }

  /** The campaign's changes, coalesced for campaignUpdated (see Channel.coalesce). */
  updates(campaignId: string): AsyncIterableIterator<StreamEvent> {
    return this.channel(campaignId).attachUpdates();
  }

  /**
   * The state version rows read for `event` are shared under: the newest sequence this process
   * has seen for the campaign (rows read now describe it and every earlier event).
   */
  versionOf(event: { campaignId: string; sequence: number }): string {
    const head = this.channels.get(event.campaignId)?.head ?? 0;
    return `${event.campaignId}:${Math.max(event.sequence, head)}`;
  }

  /** Open channels and their subscribers (tests assert that nothing leaks). */
  stats() {
    let subscribers = 0;
    for (const channel of this.channels.values()) subscribers += channel.subscriberCount;
    return { channels: this.channels.size, subscribers };
  }

  /**
   * One campaign's channel, or null when none is open: its head, its subscribers (`started`: those
   * whose starting point is fixed, so every later commit reaches them), where events came from.
   */
  channelStats(campaignId: string) {
    const channel = this.channels.get(campaignId);
    if (!channel) return null;
    return {
      head: channel.head,
      ready: channel.isReady,
      subscribers: channel.subscriberCount,
      started: channel.startedCount,
      ...channel.counts,
    };
  }

  close() {
    this.orgCampaigns.close();
    for (const channel of [...this.channels.values()]) channel.close();
    this.channels.clear();
    this.stopPolling();
  }

  closeChannel(channel: Channel) {
    if (this.channels.get(channel.campaignId) === channel) this.channels.delete(channel.campaignId);
    channel.close();
    if (this.channels.size === 0) this.stopPolling();
  }

  private channel(campaignId: string): Channel {
    let channel = this.channels.get(campaignId);
    if (!channel) {
      channel = new Channel(this, campaignId);
      this.channels.set(campaignId, channel);
      this.startPolling();
    }
    return channel;
  }

  private startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
    // The poll alone never keeps a process alive: open sockets and servers do.
    this.pollTimer.unref();
  }

  private stopPolling() {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  /** Catches lost publishes: one query for every channel that delivered nothing lately. */
  private async poll() {
    if (this.polling) return;
    const now = Date.now();
    const idle = [...this.channels.values()].filter((c) => c.isReady && !c.filling && now - c.lastDeliveryAt >= this.options.pollIntervalMs);
    if (idle.length === 0) return;
    this.polling = true;
    try {
      const latest = await latestSequences(
        this.db,
        idle.map((c) => c.campaignId),
      );
      for (const channel of idle) if ((latest.get(channel.campaignId) ?? 0) > channel.head) channel.fill();
    } catch (error) {
      this.logger.warn({ err: error }, 'realtime: polling campaign sequences failed');
    } finally {
      this.polling = false;
    }
  }
}
