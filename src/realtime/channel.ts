import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { eventFromMessage, latestSequences, readEvents, type StreamEvent } from './event-log.ts';
import type { CallboardPubSub, CampaignEventMessage } from './pubsub.ts';
import { EventSubscription, UpdateSubscription, type SubscriptionSource } from './subscriptions.ts';

/** What a channel needs of the hub that owns it. */
export interface ChannelHost {
  readonly db: Database;
  readonly pubsub: CallboardPubSub;
  readonly logger: Logger;
  readonly options: { coalesceMs: number; maxQueue: number };
  closeChannel(channel: Channel): void;
}

/** Rows per read of campaign_event (replay after a reconnect, gap fill). */
const REPLAY_PAGE = 500;

/** Status and settings changes are pushed at once; the rest only moves stats and is coalesced. */
export function changesCampaign(event: StreamEvent): boolean {
  return event.kind.startsWith('CAMPAIGN_');
}

/** One campaign's stream in this process: one bus subscription, shared by all its subscribers. */
export class Channel implements SubscriptionSource {
  /** The last sequence delivered to subscribers; every sequence up to it was delivered in order. */
  head = 0;
  isReady = false;
  closed = false;
  readonly ready: Promise<void>;
  /** When the last event was delivered; the poll asks about channels idle for a while. */
  lastDeliveryAt = Date.now();
  filling = false;
  /** Counters for tests and logs: messages off the bus, and events delivered from each source. */
  readonly counts = { busMessages: 0, fromBus: 0, fromLog: 0 };
  private fillAgain = false;
  private readonly pending = new Map<number, StreamEvent>();
  private readonly upstream: AsyncIterator<CampaignEventMessage>;
  private readonly eventSubs = new Set<EventSubscription>();
  private readonly updateSubs = new Set<UpdateSubscription>();
  private lastEmitAt = 0;
  private trailing: StreamEvent | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly hub: ChannelHost,
    readonly campaignId: string,
  ) {
    // Subscribe before reading the head: pump() calls next() synchronously, which registers the
    // listener now; messages that arrive while the head is read wait in `pending`.
    this.upstream = hub.pubsub.subscribe('campaign:event', campaignId)[Symbol.asyncIterator]();
    void this.pump();
    this.ready = this.init();
    // Subscribers await `ready` and see its error; this only keeps it from being "unhandled".
    this.ready.catch(() => undefined);
  }

  get maxQueue() {
    return this.hub.options.maxQueue;
  }

  read(after: number, upTo: number): Promise<StreamEvent[]> {
    return readEvents(this.hub.db, this.campaignId, after, upTo, REPLAY_PAGE);
  }

  get subscriberCount() {
    return this.eventSubs.size + this.updateSubs.size;
  }

  get startedCount() {
    let count = 0;
    for (const sub of this.eventSubs) if (sub.started) count++;
    for (const sub of this.updateSubs) if (sub.started) count++;
    return count;
  }

  attachEvents(after: number | null, filter?: (event: StreamEvent) => boolean): EventSubscription {
    const sub = new EventSubscription(this, after, filter);
    this.eventSubs.add(sub);
    if (this.isReady) sub.begin(this.head);
    return sub;
  }

  attachUpdates(): UpdateSubscription {
    const sub = new UpdateSubscription(this);
    this.updateSubs.add(sub);
    if (this.isReady) sub.begin();
    return sub;
  }

  detachEvents(sub: EventSubscription) {
    this.eventSubs.delete(sub);
    if (this.subscriberCount === 0) this.hub.closeChannel(this);
  }

  detachUpdates(sub: UpdateSubscription) {
    this.updateSubs.delete(sub);
    if (this.updateSubs.size === 0) this.stopCoalescing();
    if (this.subscriberCount === 0) this.hub.closeChannel(this);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.stopCoalescing();
    this.pending.clear();
    void this.upstream.return?.();
    for (const sub of [...this.eventSubs, ...this.updateSubs]) sub.close();
  }

  private async init() {
    try {
      const latest = await latestSequences(this.hub.db, [this.campaignId]);
      this.head = latest.get(this.campaignId) ?? 0;
      this.isReady = true;
      for (const sub of this.eventSubs) sub.begin(this.head);
      for (const sub of this.updateSubs) sub.begin();
      this.drain();
    } catch (error) {
      // Fail this channel's subscribers; the next subscriber gets a fresh channel and retries.
      this.hub.closeChannel(this);
      throw error;
    }
  }

  private async pump() {
    try {
      for (;;) {
        const result = await this.upstream.next();
        if (result.done || this.closed) return;
        this.onMessage(result.value);
      }
    } catch (error) {
      // Without the bus the poll still delivers everything, about a second late.
      this.hub.logger.warn({ err: error, campaignId: this.campaignId }, 'realtime: bus subscription ended');
    }
  }

  private onMessage(message: CampaignEventMessage) {
    if (this.closed || message.campaignId !== this.campaignId) return;
    this.counts.busMessages++;
    if (this.isReady && message.sequence <= this.head) return;
    this.pending.set(message.sequence, eventFromMessage(message));
    if (this.isReady) this.drain();
  }

  /** Delivers pending events that continue the sequence; reads the log when a gap remains. */
  private drain() {
    if (this.advance()) this.fill();
  }

  /** Delivers head+1, head+2… from `pending`; true when later events wait behind a gap. */
  private advance(): boolean {
    for (let next = this.pending.get(this.head + 1); next; next = this.pending.get(this.head + 1)) {
      this.pending.delete(next.sequence);
      this.counts.fromBus++;
      this.deliver(next);
    }
    for (const sequence of this.pending.keys()) if (sequence <= this.head) this.pending.delete(sequence);
    return this.pending.size > 0;
  }

  private deliver(event: StreamEvent) {
    this.head = event.sequence;
    this.lastDeliveryAt = Date.now();
    for (const sub of this.eventSubs) sub.push(event);
    if (this.updateSubs.size > 0) this.coalesce(event);
  }

  /** Reads everything after head from campaign_event and delivers it (gap fill, lost publish). */
  fill() {
    if (this.closed) return;
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = true;
    void (async () => {
      try {
        let more: boolean;
        do {
          this.fillAgain = false;
          const rows = await readEvents(this.hub.db, this.campaignId, this.head, null, REPLAY_PAGE);
          if (this.closed) return;
          for (const row of rows) {
            if (row.sequence !== this.head + 1) continue;
            this.pending.delete(row.sequence);
            this.counts.fromLog++;
            this.deliver(row);
          }
          this.advance();
          more = rows.length === REPLAY_PAGE;
        } while (more || this.fillAgain);
      } catch (error) {
        // The next message or poll tries again.
        this.hub.logger.warn({ err: error, campaignId: this.campaignId }, 'realtime: reading campaign events failed');
      } finally {
        this.filling = false;
      }
    })();
  }

  /**
   * campaignUpdated: campaign changes go out at once; stats-only changes at most once per
   * coalesceMs, leading and trailing edge, so the last state of a burst is always sent.
   */
  private coalesce(event: StreamEvent) {
    const now = Date.now();
    const { coalesceMs } = this.hub.options;
    if (changesCampaign(event) || (!this.timer && now - this.lastEmitAt >= coalesceMs)) {
      this.emit(event);
      return;
    }
    this.trailing = event;
    if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          const trailing = this.trailing;
          if (trailing) this.emit(trailing);
        },
        coalesceMs - (now - this.lastEmitAt),
      );
    }
  }

  private emit(event: StreamEvent) {
    // The state read for this event includes everything a pending trailing emit would have shown.
    this.stopCoalescing();
    this.lastEmitAt = Date.now();
    for (const sub of this.updateSubs) sub.offer(event);
  }

  private stopCoalescing() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.trailing = null;
  }
}
