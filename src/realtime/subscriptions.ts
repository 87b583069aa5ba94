import type { StreamEvent } from './event-log.ts';
import { Queue } from './queue.ts';

/**
 * Per-subscriber iterators over one campaign's channel (channel.ts): every event in order
 * (campaignEvents, callUpdated), or the latest change only (campaignUpdated).
 */

/** What a subscription needs of its channel. */
export interface SubscriptionSource {
  readonly campaignId: string;
  /** The last sequence the channel delivered. */
  readonly head: number;
  /** Settles once the channel knows the campaign's latest sequence. */
  readonly ready: Promise<void>;
  /** A subscriber further behind than this drops its queue and reads the log instead. */
  readonly maxQueue: number;
  /** Events with after < sequence <= upTo from the log, one page. */
  read(after: number, upTo: number): Promise<StreamEvent[]>;
  detachEvents(sub: EventSubscription): void;
  detachUpdates(sub: UpdateSubscription): void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Base of the per-subscriber iterators: a wake-up signal, and return() that ends a pending next(). */
export abstract class Subscription implements AsyncIterableIterator<StreamEvent> {
  protected closed = false;
  /** Its starting point is fixed: every event committed from now on will reach it. */
  started = false;
  private wake: (() => void) | null = null;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(protected readonly channel: SubscriptionSource) {}

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
export class EventSubscription extends Subscription {
  private readonly queue = new Queue<StreamEvent>();
  private replay: StreamEvent[] = [];
  private replayAt = 0;
  private last = 0;

  constructor(
    channel: SubscriptionSource,
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
    if (this.queue.length >= this.channel.maxQueue) this.queue.clear();
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
        this.replay = await this.channel.read(this.last, upTo);
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
export class UpdateSubscription extends Subscription {
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
