import type { App } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { eventFromMessage, latestSequences, readEvents, type StreamEvent } from './event-log.ts';
import type { CallboardPubSub, CampaignEventMessage } from './pubsub.ts';
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

/** Rows per read of campaign_event (replay after a reconnect, gap fill). */
const REPLAY_PAGE = 500;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Status and settings changes are pushed at once; the rest only moves stats and is coalesced. */
export function changesCampaign(event: StreamEvent): boolean {
  return event.kind.startsWith('CAMPAIGN_');
}

/** A FIFO with O(1) shift. */
class Queue<T> {
  private items: T[] = [];
  private start = 0;
  get length() {
    return this.items.length - this.start;
  }
  push(item: T) {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.start];
  }
  shift(): T | undefined {
    const item = this.items[this.start++];
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return item;
  }
  clear() {
    this.items = [];
    this.start = 0;
  }
}

/** Base of the per-subscriber iterators: a wake-up signal, and return() that ends a pending next(). */
abstract class Subscription implements AsyncIterableIterator<StreamEvent> {
  protected closed = false;
  /** Its starting point is fixed: every event committed from now on will reach it. */
  started = false;
  private wake: (() => void) | null = null;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(protected readonly channel: Channel) {}

  protected abstract produce(): Promise<IteratorResult<StreamEvent>>;
  protected abstract detach(): void;

  next(): Promise<IteratorResult<StreamEvent>> {
    // Consumers call next() one at a time; chaining keeps it correct if one does not.
    const result = this.busy.then(() => (this.closed ? DONE : this.produce()));
    this.busy = result.catch(() => undefined);
    return result;
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    this.close();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<StreamEvent>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.signal();
    this.detach();
  }

  protected signal() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  protected waitForSignal(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }
}

/** Every event of a campaign after `after`, in order, each once: replay from the log, then live. */
class EventSubscription extends Subscription {
  private readonly queue = new Queue<StreamEvent>();
  private replay: StreamEvent[] = [];
  private replayAt = 0;
  private last = 0;

  constructor(
    channel: Channel,
    private readonly after: number | null,
    private readonly filter: ((event: StreamEvent) => boolean) | undefined,
  ) {
    super(channel);
  }

  /**
   * Fixes the starting point once the channel's head is known — at attach time when it already
   * is — so an event committed while the transport sets the subscription up is not skipped.
   */
  begin(head: number) {
    if (this.started) return;
    // No `after`: live only, from the campaign's latest event now.
    this.last = this.after == null ? head : Math.max(0, this.after);
    this.started = true;
  }

  /** Called by the channel with each event, in order. */
  push(event: StreamEvent) {
    // Too far behind: forget the queue; produce() reads the missed range from the log instead.
    if (this.queue.length >= this.channel.hub.options.maxQueue) this.queue.clear();
    this.queue.push(event);
    this.signal();
  }

  protected detach() {
    this.channel.detachEvents(this);
  }

  protected async produce(): Promise<IteratorResult<StreamEvent>> {
    if (!this.started) {
      await this.channel.ready;
      this.begin(this.channel.head);
    }
    for (;;) {
      if (this.closed) return DONE;
      const event = this.take();
      if (event) {
        if (!this.filter || this.filter(event)) return { done: false, value: event };
        continue;
      }
      // Behind what the channel delivered (a replay, or an overflowed queue): read the log.
      const first = this.queue.peek();
      const upTo = first ? first.sequence - 1 : this.channel.head;
      if (this.last < upTo) {
        this.replay = await readEvents(this.channel.hub.db, this.channel.campaignId, this.last, upTo, REPLAY_PAGE);
        this.replayAt = 0;
        if (this.replay.length > 0) continue;
      }
      await this.waitForSignal();
    }
  }

  /** The next event in sequence from the replayed page or the live queue; skips what was seen. */
  private take(): StreamEvent | null {
    while (this.replayAt < this.replay.length) {
      const event = this.replay[this.replayAt++]!;
      if (event.sequence === this.last + 1) {
        this.last = event.sequence;
        return event;
      }
      if (event.sequence > this.last) break;
    }
    while (this.queue.length > 0) {
      const event = this.queue.peek()!;
      if (event.sequence > this.last + 1) break;
      this.queue.shift();
      if (event.sequence === this.last + 1) {
        this.last = event.sequence;
        return event;
      }
    }
    return null;
  }
}

/**
 * The campaign's latest change, coalesced by the channel. A slow consumer only ever holds the
 * newest one: each carries the whole state, so older ones are worthless.
 */
class UpdateSubscription extends Subscription {
  private latest: StreamEvent | null = null;

  offer(event: StreamEvent) {
    this.latest = event;
    this.signal();
  }

  protected detach() {
    this.channel.detachUpdates(this);
  }

  begin() {
    this.started = true;
  }

  protected async produce(): Promise<IteratorResult<StreamEvent>> {
    await this.channel.ready;
    this.begin();
    for (;;) {
      if (this.closed) return DONE;
      const event = this.latest;
      if (event) {
        this.latest = null;
        return { done: false, value: event };
      }
      await this.waitForSignal();
    }
  }
}

/** One campaign's stream in this process: one bus subscription, shared by all its subscribers. */
class Channel {
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
    readonly hub: CampaignStreamHub,
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
      this.timer = setTimeout(() => {
        this.timer = null;
        const trailing = this.trailing;
        if (trailing) this.emit(trailing);
      }, coalesceMs - (now - this.lastEmitAt));
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

/** The realtime side of one process: channels per campaign, the idle poll, shared row reads. */
export class CampaignStreamHub {
  readonly options: Required<HubOptions>;
  readonly snapshots: EventSnapshots;
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
    const idle = [...this.channels.values()].filter(
      (c) => c.isReady && !c.filling && now - c.lastDeliveryAt >= this.options.pollIntervalMs,
    );
    if (idle.length === 0) return;
    this.polling = true;
    try {
      const latest = await latestSequences(this.db, idle.map((c) => c.campaignId));
      for (const channel of idle) if ((latest.get(channel.campaignId) ?? 0) > channel.head) channel.fill();
    } catch (error) {
      this.logger.warn({ err: error }, 'realtime: polling campaign sequences failed');
    } finally {
      this.polling = false;
    }
  }
}

const hubs = new WeakMap<App, CampaignStreamHub>();

/** The process's hub for `app`, made on first use (API processes only: workers just publish). */
export function realtimeHub(app: App): CampaignStreamHub {
  let hub = hubs.get(app);
  if (!hub) {
    hub = new CampaignStreamHub(app.db, app.pubsub, app.logger);
    hubs.set(app, hub);
  }
  return hub;
}

/** Ends every subscription of `app` (shutdown). */
export function closeRealtime(app: App): void {
  hubs.get(app)?.close();
}
